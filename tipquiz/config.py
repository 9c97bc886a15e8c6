"""Settings in one place: defaults, then ``TIPQUIZ_*`` environment variables, then a test mapping.

Every setting can be given as an environment variable with the ``TIPQUIZ_`` prefix, for example
``TIPQUIZ_DATABASE_URL=postgresql+psycopg://...`` or ``TIPQUIZ_DEFAULT_LOCALE=en``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from .vocabulary import LANGUAGE_NAMES, LOCALES

__all__ = ["LANGUAGE_NAMES", "LOCALES", "default_settings"]


def default_settings(instance_path: Path) -> dict[str, Any]:
    """Settings a fresh install runs with: SQLite in the instance folder, Vietnamese first."""
    return {
        "DATABASE_URL": f"sqlite:///{instance_path / 'tipquiz.sqlite'}",
        "DEFAULT_LOCALE": "vi",
        # Times are stored in UTC and shown in this zone (Vietnam is UTC+7).
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "QUESTIONS_PER_QUIZ": 12,
        "QUESTION_BANK_DIR": str(Path(__file__).resolve().parent.parent / "questions"),
        # Shared by every worker process on this machine; Redis where several machines serve.
        "RATELIMIT_STORAGE_URL": f"sqlite:///{instance_path / 'ratelimits.sqlite'}",
        "RATELIMIT_ANSWERS": "60 per minute",
        # Failed sign-ins per name from one address, and per address whatever the name.
        # Join-code look-ups per address: a whole class may share one address.
        "RATELIMIT_JOIN": "300 per minute",
        "RATELIMIT_LOGIN": "10 per minute; 20 per hour; 50 per day",
        "RATELIMIT_LOGIN_ADDRESS": "30 per minute; 100 per hour; 300 per day",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # The cookie is sent again only when it changes: no Set-Cookie on every quiz page.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "tipquiz",
        "WTF_CSRF_TIME_LIMIT": None,
        "HTTPS": False,
        "PUBLIC_URL": "",
        "LAN_URL": "",
        "PROXY_COUNT": 0,
    }


def instance_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first start.

    Every process of one installation must sign cookies with the same key, so it is generated
    once and stored rather than made up at each start.
    """
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def coerce_bool(value: Any) -> bool:
    """Environment variables arrive as text; ``from_prefixed_env`` parses JSON, not "yes"."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
