"""Run Alembic's own test suite (from its sdist) against Sterna: ``./dev alembic-suite``.

* :mod:`.sdist` fetches and unpacks the Alembic release Sterna follows.
* :mod:`.hook` is the import hook used in the Sterna run: ``alembic.testing*`` (the harness) and
  the two SQLAlchemy-compat modules the harness needs come from the sdist, every other
  ``alembic.*`` name from Sterna's alias (:func:`sterna.compat.alembic_alias`).
* :mod:`.plugin` is the pytest plugin that installs the hook before the sdist's conftest runs.
* :mod:`.run` runs each test file under real Alembic and under Sterna and collects JUnit XML;
  :mod:`.classify` sorts Sterna's failures; :mod:`.report` prints the table and writes
  ``docs/conformance.md``.
"""
