"""Declarative base shared by every model, with constraint names Alembic can rely on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

# Every constraint's name says its table and all its columns, so that a name found in an error
# or a migration tells what it guards.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A bilingual text: {"en": "...", "vi": "..."}.
Text = dict[str, str]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A CHECK that keeps an enumerated column to its values, named after the column.

    The values are the same tuples the application validates against, so the database refuses
    exactly what the forms and the bank checker refuse.
    """
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dict[str, str]: JSON,
        dict[str, Any]: JSON,
        list[Any]: JSON,
        list[str]: JSON,
        datetime: DateTime(),
    }
