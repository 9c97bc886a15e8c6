"""The project's shared vocabulary, in one place.

The forms, the bank files, the models and the database's CHECK constraints all take their
allowed values from here, so that a new question type or round is added once.
"""

from __future__ import annotations

# The interface's languages, Vietnamese first: the order of the language switch and of forms.
LOCALES = ("vi", "en")
# Each language named in itself, as a language switch shows it.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
# The order in which a bilingual text's languages are written in the bank files (alphabetical,
# as the files have always been written, so that an export changes no line it need not change).
FILE_LANGUAGES = ("en", "vi")

QUESTION_TYPES = ("single", "multiple", "true_false", "message")
STATUSES = ("draft", "published", "archived")
ROLES = ("facilitator", "admin")
ROUNDS = ("before", "after")
# How a workshop runs, and where a facilitator-led room is.
MODES = ("self_paced", "led")
PHASES = ("lobby", "question", "reveal", "ended")
