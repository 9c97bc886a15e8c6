"""The Vietnamese catalog covers every interface string, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "tipquiz" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def catalog_at(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_interface_string_has_a_vietnamese_translation(tmp_path):
    """Extract the strings from the code as they are now: none may be missing from vi."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {m.id for m in catalog_at(pot) if m.id}
    catalog = catalog_at(CATALOG)
    translated = {
        m.id for m in catalog if m.id and (m.string if isinstance(m.string, str) else m.string[0])
    }
    assert sorted(str(i) for i in wanted - translated) == []


def test_translations_keep_their_placeholders():
    for message in catalog_at(CATALOG):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == expected, message.id
