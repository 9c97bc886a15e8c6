"""Fingerprints of the source articles, so "our own words" can be checked without their text.

The articles in ``../shared/seeds/`` are not part of this repository (their sentences must not
be copied into it). What is kept here is a hash of every run of 12 words in them: enough to
detect a copied run, useless for reading the articles. Regenerate after the seeds change:

    .venv/bin/python tests/seed_fingerprints.py ../shared/seeds
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

RUN = 12
FINGERPRINTS = Path(__file__).resolve().parent / "data" / "seed_fingerprints.txt"
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("'", ""))


def fingerprint(run: Iterable[str]) -> str:
    return hashlib.sha256(" ".join(run).encode("utf-8")).hexdigest()[:16]


def runs(text: str, size: int = RUN) -> list[tuple[str, str]]:
    """(fingerprint, the words) for every run of ``size`` words in ``text``."""
    found = words(text)
    return [
        (fingerprint(found[i : i + size]), " ".join(found[i : i + size]))
        for i in range(len(found) - size + 1)
    ]


def seed_fingerprints(seed_dir: Path) -> set[str]:
    prints: set[str] = set()
    for path in sorted(seed_dir.glob("*.txt")):
        prints.update(fp for fp, _ in runs(path.read_text(encoding="utf-8")))
    return prints


def stored_fingerprints() -> set[str]:
    lines = FINGERPRINTS.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def main(seed_dir: str) -> None:
    prints = seed_fingerprints(Path(seed_dir))
    header = (
        f"# sha256[:16] of every {RUN}-word run of the source articles; see seed_fingerprints.py\n"
    )
    FINGERPRINTS.write_text(header + "\n".join(sorted(prints)) + "\n", encoding="utf-8")
    print(f"{len(prints)} fingerprints written to {FINGERPRINTS}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds")
