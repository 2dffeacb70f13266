"""The corpus needs the pinned packages of the ``corpus`` extra, which only ``.venv-corpus``
has (``./dev corpus``): outside a corpus run (``STERNA_CORPUS=1``) nothing here is collected."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("STERNA_CORPUS") == "1" else ["*"]
