"""The real-world model-set corpus: public SQLAlchemy model sets installed from PyPI at pinned
versions (the ``corpus`` extra), never copied into this repository.  ``./dev corpus`` runs it."""
