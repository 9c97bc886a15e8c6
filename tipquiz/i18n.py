"""Language: Vietnamese and English, chosen from the browser first and then by the user.

Interface strings go through Flask-Babel catalogs; question-bank texts are stored in both
languages and picked with the ``tr`` template filter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session
from flask_babel import format_datetime, get_locale

from .config import LANGUAGE_NAMES, LOCALES
from .extensions import babel


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or current_app.config["DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def translate_text(text: dict[str, str] | None, locale: str | None = None) -> str:
    """Pick the current language from a bilingual text, falling back to the other one."""
    if not text:
        return ""
    locale = locale or current_locale()
    return text.get(locale) or next((v for v in text.values() if v), "")


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only ever redirect to a path on this site: no scheme, no host, no protocol-relative URL."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
        return fallback
    return target


def set_language(code: str) -> Any:
    """Remember the chosen language in the signed session cookie and go back where we were."""
    if code in LOCALES:
        session["lang"] = code
        session.permanent = True
    return redirect(safe_next(request.args.get("next")))


def other_locales() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in LOCALES]


def utc_iso(value: datetime) -> str:
    """A stored time (naive UTC) as a ``<time datetime>`` value: whole seconds, marked UTC."""
    return value.replace(microsecond=0).isoformat() + "Z"


def local_time(value: datetime, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored time as people read it where the app is deployed (``TIPQUIZ_TIMEZONE``)."""
    return format_datetime(value, pattern)


def init_app(app: Flask) -> None:
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.add_url_rule("/lang/<code>", "set_language", set_language)
    app.jinja_env.filters["tr"] = translate_text
    app.jinja_env.filters["utc_iso"] = utc_iso
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["languages"] = other_locales
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
