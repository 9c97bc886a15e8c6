"""Admins: facilitator and admin accounts."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import accounts
from ..db import get_session
from ..forms import EmptyForm
from ..models import User
from .blueprint import actor_id, bp, render
from .forms import (
    ROLE_LABELS,
    NewAccountForm,
    RoleForm,
)


def load_account(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/accounts")
def accounts_list():
    users = get_session().scalars(select(User).order_by(func.lower(User.username))).all()
    return render_template("admin/accounts.html", users=users)


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account():
    form = NewAccountForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user, password = accounts.create_account(
                db,
                actor_id=actor_id(),
                username=form.username.data,
                role=form.role.data,
                password=form.password.data or None,
            )
        except accounts.AccountRefused as refused:
            form.username.errors.append(_(refused.message, **refused.params))
        else:
            db.commit()
            shown = None if form.password.data else password
            return render_template("admin/account_created.html", user=user, password=shown)
    status = 422 if form.errors else 200
    return render("admin/account_new.html", status, form=form)


@bp.get("/accounts/<int:user_id>")
def account(user_id: int):
    user = load_account(user_id)
    return render_template(
        "admin/account.html",
        user=user,
        role_form=RoleForm(data={"role": user.role}),
        action_form=EmptyForm(),
    )


def account_change(user_id: int, change) -> Any:
    """Run one account change behind a POST button; a refusal comes back as a message."""
    user = load_account(user_id)
    db = get_session()
    try:
        result = change(db, user)
    except accounts.AccountRefused as refused:
        db.rollback()
        flash(_(refused.message, **refused.params), "error")
        return redirect(url_for(".account", user_id=user_id))
    db.commit()
    return result


@bp.post("/accounts/<int:user_id>/role")
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)

    def change(db, user):
        accounts.set_role(db, actor_id=actor_id(), user=user, role=form.role.data)
        flash(_("%(name)s is now: %(role)s.", name=user.username, role=ROLE_LABELS[user.role]))
        return redirect(url_for(".account", user_id=user.id))

    return account_change(user_id, change)


def activation(user_id: int, active: bool):
    if not EmptyForm().validate_on_submit():
        abort(400)

    def change(db, user):
        accounts.set_active(db, actor_id=actor_id(), user=user, active=active)
        if active:
            flash(_("%(name)s can sign in again.", name=user.username))
        else:
            flash(_("%(name)s can no longer sign in.", name=user.username))
        return redirect(url_for(".account", user_id=user.id))

    return account_change(user_id, change)


@bp.post("/accounts/<int:user_id>/deactivate")
def deactivate_account(user_id: int):
    return activation(user_id, False)


@bp.post("/accounts/<int:user_id>/reactivate")
def reactivate_account(user_id: int):
    return activation(user_id, True)


@bp.post("/accounts/<int:user_id>/password")
def reset_password(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)

    def change(db, user):
        password = accounts.reset_password(db, actor_id=actor_id(), user=user)
        return render_template("admin/password_reset.html", user=user, password=password)

    return account_change(user_id, change)
