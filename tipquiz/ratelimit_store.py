"""Rate-limit counts in a small SQLite file, shared by every worker process on one machine.

Flask-Limiter's in-memory store is per process: with the two workers ``make run`` starts, each
limit would let twice as many requests through. Where no Redis is configured the counts live
here instead, in ``instance/ratelimits.sqlite`` (a file of its own, so that counting never
waits for the quiz's database). Several machines need a shared Redis: see the README.

Keys name an address or an attempt token; neither is written to disk as it is. The file keeps
an HMAC of each key, under a random salt of its own, and drops windows once they are over.

Only fixed windows are supported, the strategy Flask-Limiter uses unless told otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS limits (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        expires REAL NOT NULL
    ) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS salt (value TEXT NOT NULL)",
]
# The first process to open the file chooses the salt; every other one reads it.
ADD_SALT = "INSERT INTO salt (value) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM salt)"

# One window opens per key, and a new window replaces an expired one in the same statement,
# so two processes counting at once can never both start a window.
INCREMENT = """
INSERT INTO limits (key, count, expires) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN limits.expires <= :now THEN :amount ELSE limits.count + :amount END,
    expires = CASE WHEN limits.expires <= :now THEN :now + :expiry ELSE limits.expires END
RETURNING count
"""

# Share of increments that also delete expired windows, so that the file stays small.
PURGE_SHARE = 0.01


class SQLiteStorage(Storage):
    """A ``limits`` storage for ``sqlite:///path`` URLs."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **_options: object) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.path = uri.removeprefix("sqlite:///")
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute(ADD_SALT, (secrets.token_hex(32),))
        conn.execute("COMMIT")
        self._salt = conn.execute("SELECT value FROM salt").fetchone()[0].encode()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _hashed(self, key: str) -> str:
        return hmac.new(self._salt, key.encode(), hashlib.sha256).hexdigest()

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and per process (a forked worker opens its own)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA secure_delete=ON")  # windows that are over leave no trace
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        conn = self._connection()
        now = time.time()
        params = {"key": self._hashed(key), "amount": amount, "now": now, "expiry": expiry}
        count = conn.execute(INCREMENT, params).fetchall()[0][0]
        if random.random() < PURGE_SHARE:
            conn.execute("DELETE FROM limits WHERE expires <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute(
                "SELECT count FROM limits WHERE key = ? AND expires > ?",
                (self._hashed(key), time.time()),
            )
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._connection()
            .execute(
                "SELECT expires FROM limits WHERE key = ? AND expires > ?", (self._hashed(key), now)
            )
            .fetchone()
        )
        return row[0] if row else now

    def check(self) -> bool:
        return self._connection().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM limits").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM limits WHERE key = ?", (self._hashed(key),))
