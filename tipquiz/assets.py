"""Static files under names that change with their content, so phones cache them for a year.

``url_for("static", filename="site.css")`` gives ``/static/site.1a2b3c4d5e6f.css``: the name
changes whenever the file does, so the response can say "immutable, for a year" and a page
then costs one round trip, with no revalidation of its stylesheet. The plain name keeps
working (revalidated each time) for links made before a change.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"


def hashed_name(name: str, content: bytes) -> str:
    """``css/site.css`` -> ``css/site.<12 hex digits of its SHA-256>.css``."""
    digest = hashlib.sha256(content).hexdigest()[:12]
    folder, slash, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    hashed = f"{stem}.{digest}.{extension}" if dot and stem else f"{base}.{digest}"
    return folder + slash + hashed


@dataclass(frozen=True)
class Asset:
    name: str
    content: bytes
    mimetype: str
    etag: str


def read_assets(folder: Path) -> dict[str, Asset]:
    """Every file under ``folder`` by its hashed name, read once."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        content = path.read_bytes()
        hashed = hashed_name(name, content)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        found[hashed] = Asset(name, content, mimetype, hashed.rsplit(".", 2)[-2])
    return found


class StaticFiles:
    """The app's static files: hashed names in links, served from memory with a year's cache."""

    def __init__(self, app: Flask):
        self.app = app
        self.folder = Path(str(app.static_folder))
        self.load()

    def load(self) -> None:
        self.by_hashed = read_assets(self.folder)
        self.hashed_of = {asset.name: hashed for hashed, asset in self.by_hashed.items()}

    def add_hash(self, endpoint: str | None, values: dict[str, Any]) -> None:
        if endpoint != "static" or "filename" not in values:
            return
        if self.app.debug:
            self.load()
        values["filename"] = self.hashed_of.get(values["filename"], values["filename"])

    def serve(self, filename: str) -> Response:
        asset = self.by_hashed.get(filename)
        if asset is None:
            return self.app.send_static_file(filename)
        response = Response(asset.content, mimetype=asset.mimetype)
        response.headers["Cache-Control"] = IMMUTABLE
        response.set_etag(asset.etag)
        return response


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left out of static files' responses.

    Extensions glance at the session on every request; Flask would then add ``Vary: Cookie``
    (and refresh the cookie), and a phone whose cookie changed since would fetch the
    stylesheet again despite its year-long cache.
    """

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    static = StaticFiles(app)
    app.url_defaults(static.add_hash)
    app.view_functions["static"] = static.serve
    app.extensions["tipquiz_static"] = static
