"""Signing facilitators and admins in and out; the role guards their blueprints use.

Participants never sign in. Sign-in is rate-limited and never says which of the name or the
password was wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from . import staff_sessions
from .accounts import MIN_PASSWORD, change_own_password, verify_sign_in
from .db import get_session
from .extensions import address_key, limiter, login_manager
from .forms import FlaskForm
from .i18n import safe_next
from .models import User

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


def load_user(user_id: str) -> User | None:
    """The signed-in account, if the cookie's session version is still the account's own.

    A deactivated account, or a cookie from before a sign-out, a password change or a reset,
    is signed out at its next request.
    """
    found = staff_sessions.parse_session_id(user_id)
    if found is None:
        return None
    user = get_session().get(User, found[0])
    if user is None or not user.active or user.session_version != found[1]:
        return None
    return user


def find_user(username: str) -> User | None:
    return get_session().scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def address_and_name() -> str:
    """Guesses at one name from one address; the owner signing in elsewhere is not counted."""
    name = (request.form.get("username") or "").strip().lower()[:64]
    return f"{address_key()}/{name}"


def sign_in_failed(response: Response) -> bool:
    """Only refused sign-ins count towards the limits; a success redirects."""
    return response.status_code != 302


# Limits count failures only, per address and per name-and-address, over a minute, an hour and
# a day, so the wait grows as guessing goes on. None counts per name alone: that would let
# anyone lock an account's owner out by guessing at its name.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"],
    methods=["POST"],
    deduct_when=sign_in_failed,
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN"],
    methods=["POST"],
    key_func=address_and_name,
    deduct_when=sign_in_failed,
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if verify_sign_in(user, form.password.data):
            staff_sessions.sign_in(user, remember=form.remember.data)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next"), home_for(user)))
        form.password.errors.append(_("That name and password do not match an active account."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out here and wherever else this account is signed in, copies of the cookie too."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        get_session().commit()
    staff_sessions.sign_out()
    flash(_("You are signed out."))
    return redirect(url_for("participant.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            user = current_user._get_current_object()
            change_own_password(get_session(), user, form.new.data)
            get_session().commit()
            # Every other session has ended; this one goes on under the new session version.
            staff_sessions.sign_in(user, remember=bool(session.get(staff_sessions.REMEMBER_KEY)))
            flash(_("Your password is changed."))
            return redirect(home_for(current_user))
    return render_template("auth/password.html", form=form, first=current_user.must_change_password)


def home_for(user: User) -> str:
    return url_for("admin.index") if user.is_admin else url_for("facilitator.index")


def role_guard(*roles: str) -> Callable[[], None]:
    """A ``before_request`` for a whole blueprint, so that no new route can be left open."""

    def guard() -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password:
            return redirect(url_for("auth.change_password"))
        if current_user.role not in roles:
            abort(403)
        return None

    return guard


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.session_protection = "basic"
    staff_sessions.init_app(app)
