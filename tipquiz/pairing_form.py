"""The join form of a workshop: the optional self-made code, and pairing the rounds on joining.

The rules live in ``pairing``; this module only reads the form, in the participant's language,
and hands the keyed hash on. The code's pieces are never put back into a page: a form with an
error comes back with them empty.
"""

from __future__ import annotations

from flask import current_app, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from . import pairing
from .db import get_session
from .forms import FlaskForm
from .models import ROUNDS, Attempt, Workshop

BEFORE_TOKEN = "before_attempt"


def _numbers(highest: int) -> list[SelectChoice]:
    return [SelectChoice("", "–")] + [SelectChoice(str(n), str(n)) for n in range(1, highest + 1)]


class JoinForm(FlaskForm):
    code_letter = StringField(
        _l("First letter of your mother's given name"),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 40},
    )
    code_day = SelectField(_l("Day of your birthday"), choices=_numbers(31), validate_choice=False)
    code_month = SelectField(
        _l("Month of your birthday"), choices=_numbers(12), validate_choice=False
    )
    someone_else = BooleanField(_l("Someone else took the before round on this phone"))

    code: pairing.SelfCode | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.code = pairing.parse_code(
                self.code_letter.data, self.code_day.data, self.code_month.data
            )
        except pairing.InvalidCode as error:
            field, message = self._error(error.reason)
            field.errors = [*field.errors, message]
            return False
        return True

    def _error(self, reason: str):
        if reason == "letter":
            return self.code_letter, _("Type one letter, for example H for Hoa.")
        if reason == "day":
            return self.code_day, _("Choose a day from 1 to 31.")
        if reason == "month":
            return self.code_month, _("Choose a month from 1 to 12.")
        return self.code_letter, _(
            "Fill in all three parts of the code, or leave all three empty to skip it."
        )

    def forget_code(self) -> None:
        """Never send the pieces of a code back to the browser."""
        self.code_letter.data = ""
        self.code_day.data = ""
        self.code_month.data = ""


def hashed(workshop: Workshop, code: pairing.SelfCode | None) -> str | None:
    if code is None:
        return None
    return pairing.code_hash(current_app.config["SECRET_KEY"], workshop.id, code)


def browser_tokens() -> list[str]:
    """The attempt tokens this browser holds: its current attempt and its last before round."""
    return [session.get("attempt"), session.get(BEFORE_TOKEN)]


def phone_took_before(workshop: Workshop) -> bool:
    """Whether this browser took the workshop's before round and can be paired by itself."""
    if workshop.current_round != ROUNDS[-1]:
        return False
    return pairing.device_partner(get_session(), workshop.id, browser_tokens()) is not None


def pair_on_join(workshop: Workshop, attempt: Attempt, form: JoinForm) -> None:
    """Keep the code of a before-round attempt; pair an after-round attempt with its before."""
    db = get_session()
    hashed_code = hashed(workshop, form.code)
    if attempt.round == ROUNDS[0]:
        pairing.remember_code(db, attempt, hashed_code)
        session[BEFORE_TOKEN] = attempt.token
        return
    pairing.pair_after_attempt(
        db,
        attempt,
        device_tokens=browser_tokens(),
        hashed_code=hashed_code,
        use_device=not form.someone_else.data,
    )
