"""A contact card for hotline 111, so a participant leaves with the number in their phone.

vCard 3.0 (RFC 2426) is the version every Android and iPhone contacts app imports: text values
escape backslashes, commas and semicolons, lines end in CRLF and are folded at 75 octets.
"""

from __future__ import annotations

HOTLINE = "111"
# Both names, so the contact reads right whichever language the phone is set to.
HOTLINE_NAMES = {
    "vi": "Tổng đài 111 – Phòng, chống mua bán người",
    "en": "Hotline 111 – Anti-trafficking",
}
LINE_OCTETS = 75


def escape(value: str) -> str:
    """Escape a vCard text value (RFC 2426 §4: backslash, comma, semicolon, newline)."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # A continuation line starts with one space, which counts towards its 75 octets.
        limit = LINE_OCTETS if not pieces else LINE_OCTETS - 1
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def hotline_vcard(locale: str, note: str) -> str:
    """The 111 card: its name in the page's language, the other language as a nickname."""
    name = HOTLINE_NAMES.get(locale, HOTLINE_NAMES["vi"])
    others = [n for code, n in HOTLINE_NAMES.items() if n != name]
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{escape(name)};;;;",
        f"FN:{escape(name)}",
        f"NICKNAME:{','.join(escape(n) for n in others)}",
        f"TEL;TYPE=VOICE:{HOTLINE}",
        f"NOTE:{escape(note)}",
        "END:VCARD",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
