"""The documentation site's build-time code: the MkDocs hook (``hooks.py``) and the pages it
generates from the code (the CLI reference, the known differences), so that they cannot drift."""
