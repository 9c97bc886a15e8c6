"""How a workshop's room moves: fields shared by the new-workshop form and the settings form
of a workshop that has not started yet."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .forms import FlaskForm
from .live import LED, SELF_PACED, TIME_LIMITS


def seconds_or_none(value: Any) -> int | None:
    """The time limit as sent: "0" is none; anything that is not a number is refused later."""
    if value is None:
        return None
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return -1


class RoomFields:
    """Mixed into a FlaskForm: the mode and the time limit, each checked against its list."""

    mode = RadioField(
        _l("How the room moves"),
        choices=[
            SelectChoice(SELF_PACED, _l("Self-paced: each phone goes through the quiz alone")),
            SelectChoice(LED, _l("Facilitator-led: you open each question for the whole room")),
        ],
        default=SELF_PACED,
        validate_choice=False,
    )
    time_limit = SelectField(
        _l("Time limit per question, when facilitator-led"),
        choices=[SelectChoice(0, _l("No time limit"))]
        + [SelectChoice(s, _l("%(num)d seconds", num=s)) for s in TIME_LIMITS if s],
        coerce=seconds_or_none,
        default=None,
        validate_choice=False,
    )

    def validate_mode(self, field: RadioField) -> None:
        if field.data not in (SELF_PACED, LED):
            raise ValidationError(_("Choose self-paced or facilitator-led."))

    def validate_time_limit(self, field: SelectField) -> None:
        if field.data not in TIME_LIMITS:
            raise ValidationError(_("Choose a time limit from the list."))


class RoomSettingsForm(RoomFields, FlaskForm):
    pass
