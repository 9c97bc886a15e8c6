"""Flask-WTF's form with WTForms' own messages in the user's language.

WTForms ships no Vietnamese catalog, so its built-in messages ("This field is required." and
the like) stayed in English on Vietnamese pages. This form looks them up in our own catalog
instead; the messages are listed below so that ``make messages`` extracts them.
"""

from __future__ import annotations

from typing import Any

import wtforms
from flask_babel import get_translations
from flask_wtf import FlaskForm as BaseForm

from .bank import N_

# WTForms' built-in messages our forms can show, extracted into our catalog.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Field must be at least %(min)d character long."),
    N_("Field must be at least %(min)d characters long."),
    N_("Field cannot be longer than %(max)d character."),
    N_("Field cannot be longer than %(max)d characters."),
    N_("Field must be exactly %(max)d character long."),
    N_("Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Field must be equal to %(other_name)s."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid input."),
    N_("Invalid URL."),
    N_("Not a valid choice."),
    N_("'%(value)s' is not a valid choice for this field."),
    N_("'%(value)s' are not valid choices for this field."),
    N_("Not a valid integer value."),
)


class CatalogTranslations:
    """WTForms' translations interface, answered from the app's own catalog."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Vietnamese has one plural form; each English form is its own catalog entry.
        return self.gettext(singular if n == 1 else plural)


TRANSLATIONS = CatalogTranslations()


class FlaskForm(BaseForm):
    """Every form of the app: Flask-WTF's, with WTForms' messages in the user's language."""

    class Meta(BaseForm.Meta):
        def get_translations(self, form: Any) -> CatalogTranslations:
            return TRANSLATIONS


class Form(wtforms.Form):
    """A form nested in another (``FormField``): no CSRF of its own, the same messages."""

    class Meta(wtforms.Form.Meta):
        def get_translations(self, form: Any) -> CatalogTranslations:
            return TRANSLATIONS


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that POST.

    ``CSRFProtect`` checks the token of every POST before any view runs, so views that take
    such a button need no check of their own.
    """
