"""A database of a benchmark's own: a SQLite file in its folder, or a fresh PostgreSQL database.

Benchmarks fill and measure a database that nobody else uses, and remove it afterwards, so that
pointing one at a real server never touches the database named in the URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import make_url, text

from tipquiz.db import make_engine, normalise_url


def scratch_database(url: str | None, folder: Path, name: str) -> tuple[str, Callable[[], None]]:
    """A fresh database URL and how to remove it afterwards."""
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{folder / f'{name}.sqlite'}", lambda: None
    base = make_url(normalise_url(url))
    database = f"{base.database}_{name}_{os.getpid()}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=database).render_as_string(hide_password=False), drop
