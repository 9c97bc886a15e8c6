"""Flask extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Addresses are used only as short-lived rate-limit keys in the limiter's store, never saved
# with anything a participant did.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
