"""Message questions as a page draws them: the message cut into text and tappable phrases.

A message question's revision keeps its layout (``bank.message_data``); each part's text places
the revision's choices, its "phrases", by key. ``message_view`` turns that into pieces in the
reading order of one language, so the template only loops. No Flask here except ``init_app``,
which makes ``message_view`` available to templates in the page's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .bank import split_phrases


class Phrase(Protocol):
    key: str
    text: Mapping[str, str]
    correct: bool
    why: Mapping[str, str] | None


@dataclass(frozen=True)
class Piece:
    """Plain text (``phrase`` None) or one phrase, with its number in the feedback list."""

    text: str
    phrase: Any = None
    number: int | None = None


@dataclass(frozen=True)
class Part:
    side: str | None
    pieces: list[Piece]


@dataclass(frozen=True)
class MessageView:
    kind: str
    sender: str
    detail: str
    parts: list[Part]
    # The phrases in reading order, and those the feedback lists (with their numbers).
    phrases: list[Any]
    listed: list[Any]


def _pick(text: Mapping[str, str] | None, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or next((v for v in text.values() if v), "")


def message_view(
    message: Mapping[str, Any], choices: Iterable[Phrase], lang: str, picked: Iterable[str] = ()
) -> MessageView:
    """The message in ``lang``; the feedback lists every red flag and each innocent phrase
    the participant tapped (``picked``), numbered in reading order.

    A key that names no phrase (an old revision, a hand-edited database) shows as plain text.
    """
    by_key = {c.key: c for c in choices}
    picked = set(picked)
    order: list[Any] = []
    for part in message["parts"]:
        for _text, key in split_phrases(_pick(part["text"], lang)):
            if key in by_key and by_key[key] not in order:
                order.append(by_key[key])
    listed = [c for c in order if c.correct or c.key in picked]
    numbers = {c.key: n for n, c in enumerate(listed, start=1)}
    parts = []
    for part in message["parts"]:
        pieces = []
        for text, key in split_phrases(_pick(part["text"], lang)):
            if key is None:
                pieces.append(Piece(text))
            elif key in by_key:
                phrase = by_key[key]
                pieces.append(Piece(_pick(phrase.text, lang), phrase, numbers.get(key)))
            else:
                pieces.append(Piece(text))
        parts.append(Part(part.get("from"), pieces))
    return MessageView(
        kind=message["kind"],
        sender=_pick(message["sender"], lang),
        detail=_pick(message.get("detail"), lang),
        parts=parts,
        phrases=order,
        listed=listed,
    )


def init_app(app: Any) -> None:
    from .i18n import current_locale

    def view_in_page_language(message, choices, picked=()):
        return message_view(message, choices, current_locale(), picked)

    app.jinja_env.globals["message_view"] = view_in_page_language
