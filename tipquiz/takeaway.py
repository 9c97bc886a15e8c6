"""What a participant takes away from the quiz, and where a workshop goes next.

- the hotline 111 as a contact card for the phone's address book;
- a public page to share, whose link previews as a card saying the person took the quiz and
  knows where to call (never their score, never their results page);
- for a phone still on its results page after a workshop's "before" round, a cheap status the
  page's script asks for, so the phone learns that the "after" round has started.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from . import attempts
from .config import LOCALES
from .db import get_session
from .i18n import current_locale
from .models import Workshop
from .vcard import hotline_vcard
from .workshops import after_round_open

bp = Blueprint("takeaway", __name__)

# The share card is the same image for everyone: made once from templates/share/card.html.
SHARE_IMAGE = "share/share-{locale}.png"
SHARE_IMAGE_SIZE = (1200, 630)
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}


@bp.get("/111.vcf")
def hotline_contact():
    note = _(
        "Vietnam's national hotline against human trafficking and for child protection. "
        "Free, 24 hours a day."
    )
    body = hotline_vcard(current_locale(), note)
    return Response(
        body,
        mimetype="text/vcard",
        headers={"Content-Disposition": 'attachment; filename="hotline-111.vcf"'},
    )


@bp.get("/share/<locale>")
def share(locale: str):
    """The public page a shared link opens: what the quiz is and a way to take it."""
    if locale not in LOCALES:
        abort(404)
    chosen = session.get("lang")
    if chosen in LOCALES and chosen != locale:
        # Someone who picked a language reads the page in it; link previews have no session.
        return redirect(url_for(".share", locale=chosen))
    with force_locale(locale):
        return render_template(
            "share/page.html",
            share_locale=locale,
            og_locale=OG_LOCALES[locale],
            image_path=url_for("static", filename=SHARE_IMAGE.format(locale=locale)),
            image_url=url_for("static", filename=SHARE_IMAGE.format(locale=locale), _external=True),
            image_size=SHARE_IMAGE_SIZE,
            page_url=url_for(".share", locale=locale, _external=True),
        )


@bp.get("/quiz/results/after-round")
def after_round_status():
    """Whether the "after" round waits for this phone: two one-row reads, polled gently."""
    db = get_session()
    attempt = attempts.find_attempt(db, session.get("attempt"))
    if attempt is None:
        abort(404)
    workshop = db.get(Workshop, attempt.workshop_id) if attempt.workshop_id else None
    response = jsonify({"open": after_round_open(workshop, attempt)})
    response.headers["Cache-Control"] = "no-store"
    return response
