"""A health check for load balancers and monitoring; it touches nothing but the framework.

The load benchmark also uses it as the floor: the fastest a request can be on this server.
"""

from __future__ import annotations

from flask import Flask, Response


def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
