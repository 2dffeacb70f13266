"""Glue for the corpus sets whose models need more than one import (see ``sets.py``).

Each function is tiny and ours: it imports a package's own model modules, or, only where a package
ships mixins and no concrete model, declares the smallest concrete models over those mixins.  The
functions are cached so that a set's classes are declared once per process.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from functools import cache
from typing import Any

from sqlalchemy import MetaData


def _import_all(*modules: str) -> None:
    for name in modules:
        importlib.import_module(name)


def import_airflow() -> None:
    """Airflow's own ``import_all_models`` (what its migrations' env.py calls).

    Importing Airflow writes ``airflow.cfg`` under ``AIRFLOW_HOME``: unless the caller chose one,
    it goes to a fresh temporary folder instead of the user's home.
    """
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="sterna-corpus-airflow-"))
    importlib.import_module("airflow.models").import_all_models()


def import_keystone() -> None:
    """Keystone's models live in each service's SQL backend module, all on ``ModelBase``."""
    _import_all(*(f"keystone.{name}" for name in _KEYSTONE_MODEL_MODULES))


_KEYSTONE_MODEL_MODULES = (
    "application_credential.backends.sql",
    "assignment.backends.sql",
    "assignment.role_backends.sql_model",
    "catalog.backends.sql",
    "credential.backends.sql",
    "endpoint_policy.backends.sql",
    "federation.backends.sql",
    "identity.backends.sql_model",
    "identity.mapping_backends.sql",
    "limit.backends.sql",
    "oauth1.backends.sql",
    "policy.backends.sql",
    "resource.backends.sql_model",
    "revoke.backends.sql",
    "trust.backends.sql",
)


@cache
def fastapi_users_metadata() -> MetaData:
    """fastapi-users-db-sqlalchemy ships only mixins: user, OAuth account and access token."""
    from fastapi_users_db_sqlalchemy import (
        SQLAlchemyBaseOAuthAccountTableUUID,
        SQLAlchemyBaseUserTableUUID,
    )
    from fastapi_users_db_sqlalchemy.access_token import SQLAlchemyBaseAccessTokenTableUUID
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass

    # the mixins are Any where the package is not installed (outside .venv-corpus): misc
    class User(SQLAlchemyBaseUserTableUUID, Base):  # type: ignore[misc, unused-ignore]
        pass

    class OAuthAccount(SQLAlchemyBaseOAuthAccountTableUUID, Base):  # type: ignore[misc, unused-ignore]
        pass

    class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):  # type: ignore[misc, unused-ignore]
        pass

    return Base.metadata


@cache
def flask_security_metadata() -> MetaData:
    """Flask-Security-Too's fsqla_v4 mixins on a Flask-SQLAlchemy ``db`` (its documented use)."""
    from flask_security.models import fsqla_v4 as fsqla
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()
    fsqla.FsModels.set_db_info(db)
    model: Any = db.Model

    class Role(model, fsqla.FsRoleMixin):  # type: ignore[misc]
        pass

    class User(model, fsqla.FsUserMixin):  # type: ignore[misc]
        pass

    class WebAuthn(model, fsqla.FsWebAuthnMixin):  # type: ignore[misc]
        pass

    class FsRefreshTracker(model, fsqla.FsRefreshTrackerMixin):  # type: ignore[misc]
        pass

    return db.metadata


@cache
def apscheduler_metadata() -> MetaData:
    """APScheduler 3 builds its job table in ``SQLAlchemyJobStore.__init__``."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from sqlalchemy import create_engine

    store = SQLAlchemyJobStore(engine=create_engine("sqlite://"))
    metadata: MetaData = store.jobs_t.metadata
    return metadata
