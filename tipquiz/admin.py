"""Admins: the question bank and the accounts."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import role_guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(role_guard("admin"))


@bp.get("/")
def index():
    return render_template("admin/index.html")
