"""Headers, CSRF and rate limits that every response and form gets."""

from __future__ import annotations

from flask import Flask, Response, abort, request, session
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, UnicodeConverter

from . import ratelimit_store  # noqa: F401 - registers the sqlite:// limits storage
from .extensions import address_key, csrf, limiter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint == "static":
        # Reading the session would add "Vary: Cookie" and defeat the year-long cache.
        return response
    if session.get("_user_id") or request.path.startswith(("/facilitator", "/admin")):
        response.headers.setdefault("Cache-Control", "no-store")
    elif request.path.startswith("/quiz"):
        # A participant's own quiz: never in a shared cache, always asked for afresh, but
        # allowed in the back/forward cache, which "no-store" would rule out.
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def attempt_key() -> str:
    """Answer limits count per attempt, not per address: a whole workshop may share one Wi-Fi."""
    return session.get("attempt") or address_key()


# The largest id or position a URL may name: what a 32-bit INTEGER column can hold.
MAX_URL_INT = 2**31 - 1


def digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers from 0 to ``limit``, and no others."""
    text = str(limit)
    parts = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            parts.append(f"{text[:i]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers the database can compare with its columns.

    A bigger number cannot name anything stored, so no route matches it at all (404), instead
    of PostgreSQL refusing the query or SQLite overflowing. The bound is in the pattern, not
    only in ``max``, so that a POST to such an address is 404 too rather than 405.
    """

    regex = digits_up_to(MAX_URL_INT)

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_URL_INT)
        super().__init__(url_map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """Path parts without NUL: no key, code or name we store can hold one (PostgreSQL refuses)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def refuse_nul_bytes() -> None:
    """Refuse form fields and query values holding a NUL byte, before any view stores them.

    No text we keep can contain one; refusing it here, for every form at once, gives the
    person a clear page instead of a database error and leaves nothing half-written.
    """
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(422, description=_("A field cannot contain a NUL character. Remove it."))


def init_converters(app: Flask) -> None:
    """URL converters that refuse what the database cannot hold; routes added later use them."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter


def trust_proxies(app: Flask) -> None:
    """Behind ``TIPQUIZ_PROXY_COUNT`` reverse proxies, believe their ``X-Forwarded-*`` headers.

    Links and Secure cookies then carry the public scheme and host, and rate limits count the
    real client instead of the proxy. Only that many hops are trusted: with the default of 0 a
    client cannot forge its scheme, host or address, and with 1 only what the proxy itself
    appended is read.
    """
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["RATELIMIT_STORAGE_URL"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    csrf.init_app(app)
    app.before_request(refuse_nul_bytes)
    limiter.init_app(app)
    app.after_request(add_security_headers)
