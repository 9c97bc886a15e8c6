"""Spot the Signs: a bilingual quiz about the signs of human trafficking.

``create_app`` builds the application: settings, database, extensions, blueprints, CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from . import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(config.default_settings(Path(app.instance_path)))
    app.config.from_prefixed_env("TIPQUIZ")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(Path(app.instance_path))
    if config.coerce_bool(app.config["HTTPS"]):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"

    from . import (
        admin,
        assets,
        auth,
        cli,
        compression,
        db,
        errors,
        facilitator,
        follow,
        health,
        i18n,
        lead,
        messages,
        participant,
        security,
        takeaway,
    )

    security.init_converters(app)  # before any route is added
    db.init_app(app)
    i18n.init_app(app)
    messages.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    health.init_app(app)
    assets.init_app(app)
    compression.init_app(app)
    app.register_blueprint(participant.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(follow.bp)
    app.register_blueprint(lead.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(takeaway.bp)
    return app
