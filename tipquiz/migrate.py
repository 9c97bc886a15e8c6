"""Creating and upgrading the database schema through Alembic, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


class BrokenReferences(RuntimeError):
    """After an upgrade some rows point at rows that do not exist; nothing was committed."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op on an up-to-date database.

    SQLite changes a table's constraints by building a new table and dropping the old one.
    With foreign keys on, that drop would delete, through ``ON DELETE CASCADE``, every row that
    refers to the table (every answer of every attempt), so they are off during the upgrade,
    and every reference is checked before it is committed.
    """
    config = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Outside a transaction: inside one SQLite ignores this pragma.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise BrokenReferences("the upgrade left rows that refer to missing rows")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def make_revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)
