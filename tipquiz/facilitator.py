"""Facilitators: workshops, join codes, live results."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import role_guard

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")
bp.before_request(role_guard("facilitator", "admin"))


@bp.get("/")
def index():
    return render_template("facilitator/index.html")
