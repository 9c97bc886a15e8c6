"""Flask extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

import ipaddress

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def address_key() -> str:
    """The client's address for rate limits; an IPv6 client counts by its /64 network.

    One IPv6 subscriber is usually given a whole /64, so counting single addresses would let
    them guess on as fast as they can change the last part.
    """
    address = get_remote_address()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


# Addresses are used only as short-lived rate-limit keys in the limiter's store, never saved
# with anything a participant did.
limiter = Limiter(key_func=address_key, default_limits=[])
