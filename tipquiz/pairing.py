"""Matching a person's "before" and "after" attempts in a workshop, without knowing who they are.

Evaluators compare the same people before and after a session; comparing two groups instead
swings with whoever joined late. Two ways find the same person, tried in this order when an
attempt of the "after" round starts:

1. **The same phone.** Its signed cookie still holds the random token of the attempt it made in
   the "before" round. Nothing else is needed or stored.
2. **A self-made code**, for someone on another device: in each round the participant may build
   a short code from three things they remember and nobody else needs to know: the first letter
   of their mother's given name (or of whoever raised them), and the day and the month of their
   own birthday. "Nguyễn Thị **H**oa", born on 7 March, gives ``H0703``. The given name is
   the last word of a Vietnamese name and the one people are called by, so it is known even
   where the family name is shared by half the village; the birthday is known by heart, unlike a
   phone number (many young people have two SIM cards, or none, and the one on another device is
   often the one without a phone). With about 10 common initials and 366 birthdays, two people in
   a room of 30 share a code about one time in ten; such a code then pairs nobody rather than the
   wrong people.

Only a keyed hash of the code is kept, on the "before" attempt: HMAC-SHA256 under the
application's secret key, over the workshop's id and the code. The same code in two workshops
gives unrelated hashes, and without the secret nobody holding the database can test guesses
against it. The code itself is never stored, logged or shown back.

The hash is wiped as soon as its "before" attempt is paired. Codes are few (about 26 letters
times 366 birthdays), so whoever held both the database and the secret key could try them all
against a hash still kept; what they would learn is a letter and a birthday, not a name.

The "after" attempt then points at its "before" attempt (``Attempt.paired_attempt_id``, unique:
one after for one before). A code that matches more than one unpaired "before" attempt is
ambiguous and pairs nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from .models import ROUNDS, Attempt

BY_DEVICE = "device"
BY_CODE = "code"
MAX_LETTER_INPUT = 40


class InvalidCode(ValueError):
    """A self-made code that is partly filled in or has a piece that cannot be right.

    ``reason`` is one of ``partial``, ``letter``, ``day`` and ``month``, for the message.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SelfCode:
    letter: str
    day: int
    month: int

    @property
    def text(self) -> str:
        return f"{self.letter}{self.day:02d}{self.month:02d}"


def initial_letter(raw: str) -> str | None:
    """The first letter typed, without its accents: "Hoa", "h" and "Hòa" all give "H".

    Đ becomes D: on a phone without a Vietnamese keyboard people type D. Whatever follows the
    first letter is ignored, so typing the whole name works too (and is not kept).
    """
    text = raw.strip()[:MAX_LETTER_INPUT]
    if not text:
        return None
    first = text[0].replace("đ", "d").replace("Đ", "D")
    base = unicodedata.normalize("NFD", first)[0].upper()
    return base if "A" <= base <= "Z" else None


def parse_code(letter: str | None, day: str | None, month: str | None) -> SelfCode | None:
    """The code from the three fields of the join form; None when all three are left empty.

    Raises ``InvalidCode`` when only some are filled in, or one cannot be right.
    """
    parts = [(value or "").strip() for value in (letter, day, month)]
    if not any(parts):
        return None
    if not all(parts):
        raise InvalidCode("partial")
    found = initial_letter(parts[0])
    if found is None:
        raise InvalidCode("letter")
    return SelfCode(found, _number(parts[1], 31, "day"), _number(parts[2], 12, "month"))


def _number(value: str, highest: int, reason: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= highest:
        raise InvalidCode(reason)
    return int(value)


def code_hash(secret: str | bytes, workshop_id: int, code: SelfCode) -> str:
    """The keyed hash kept instead of the code: the same code gives another hash elsewhere."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"tipquiz-pairing\x00{workshop_id}\x00{code.text}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _unclaimed_before(workshop_id: int):
    """Before-round attempts of the workshop that no after-round attempt points at yet."""
    after = aliased(Attempt)
    return select(Attempt).where(
        Attempt.workshop_id == workshop_id,
        Attempt.round == ROUNDS[0],
        ~exists().where(after.paired_attempt_id == Attempt.id),
    )


def device_partner(session: Session, workshop_id: int, tokens: list[str]) -> Attempt | None:
    """The unpaired before-round attempt this browser made in the workshop, newest first."""
    tokens = [t for t in tokens if t]
    if not tokens:
        return None
    return session.scalar(
        _unclaimed_before(workshop_id)
        .where(Attempt.token.in_(tokens))
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def code_partner(session: Session, workshop_id: int, hashed: str) -> Attempt | None:
    """The one unpaired before-round attempt with this code's hash; None if none or several."""
    found = session.scalars(
        _unclaimed_before(workshop_id).where(Attempt.code_hash == hashed).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def pair_after_attempt(
    session: Session,
    after: Attempt,
    *,
    device_tokens: list[str],
    hashed_code: str | None,
    use_device: bool = True,
) -> str | None:
    """Point a new after-round attempt at the same person's before-round attempt.

    Returns how it was found (``device`` or ``code``), or None when nothing matched. Two
    after-round attempts racing for one before attempt cannot both win: the unique constraint
    keeps the first, and the second stays unpaired.
    """
    if after.workshop_id is None or after.round != ROUNDS[-1] or after.paired_attempt_id:
        return None
    before, how = None, None
    if use_device:
        before, how = device_partner(session, after.workshop_id, device_tokens), BY_DEVICE
    if before is None and hashed_code:
        before, how = code_partner(session, after.workshop_id, hashed_code), BY_CODE
    if before is None:
        return None
    after.paired_attempt_id = before.id
    after.paired_by = how
    before.code_hash = None  # its job is done: keep nothing that is no longer needed
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return how


def remember_code(session: Session, before: Attempt, hashed_code: str | None) -> None:
    """Keep the code's hash on a before-round attempt, so another device can find it later."""
    if hashed_code and before.round == ROUNDS[0]:
        before.code_hash = hashed_code
        session.commit()
