"""The address participants' phones open: join links and QR codes never point at loopback.

In order: the configured public address (``TIPQUIZ_PUBLIC_URL``, for a server behind a domain
name); the address the facilitator's own browser used, when it is not this machine's loopback
(so a facilitator on the LAN, or behind a trusted proxy, gets links that work); the laptop's
LAN address found by ``make room`` (``TIPQUIZ_LAN_URL``); and only then the loopback address,
with a warning to the facilitator, since no phone can open it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, url_for

from .lan import is_loopback_host


def configured_base() -> str:
    """The public address, else the LAN address ``make room`` found; empty when neither is set."""
    for key in ("PUBLIC_URL", "LAN_URL"):
        value = str(current_app.config.get(key) or "").strip().rstrip("/")
        if value:
            return value
    return ""


def request_is_loopback() -> bool:
    return not has_request_context() or is_loopback_host(request.host)


def public_url_for(endpoint: str, **values: Any) -> str:
    """An absolute link for a phone in the room, for an endpoint of this app."""
    public = str(current_app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not public and not request_is_loopback():
        return url_for(endpoint, _external=True, **values)
    base = public or configured_base()
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    if has_request_context() and request.script_root:
        path = path.removeprefix(request.script_root)
    return base + path


def only_loopback_known() -> bool:
    """True when the links handed to phones would point at this machine's loopback address."""
    return not configured_base() and request_is_loopback()
