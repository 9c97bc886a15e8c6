"""Headers, CSRF and rate limits that every response and form gets."""

from __future__ import annotations

from flask import Flask, Response, request, session
from flask_limiter.util import get_remote_address

from .extensions import csrf, limiter

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
    return session.get("attempt") or get_remote_address()


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["RATELIMIT_STORAGE_URL"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(add_security_headers)
