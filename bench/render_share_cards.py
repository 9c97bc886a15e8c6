"""Draw the share cards (1200×630 PNG, one per language) with headless Chromium.

The card is the same for everyone, so it is drawn once from ``templates/share/card.html``
(styled by ``bench/share_card.css``) and the PNGs are committed under ``static/share/``. Run
again after changing the card's words or their translations::

    .venv/bin/python bench/render_share_cards.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tipquiz import create_app  # noqa: E402
from tipquiz.config import LOCALES  # noqa: E402
from tipquiz.takeaway import SHARE_IMAGE, SHARE_IMAGE_SIZE  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def card_html(app, locale: str) -> str:
    with app.test_request_context("/"), force_locale(locale):
        return render_template("share/card.html", locale=locale)


def main() -> None:
    app = create_app({"SECRET_KEY": "cards", "DATABASE_URL": "sqlite://"})
    width, height = SHARE_IMAGE_SIZE
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        for locale in LOCALES:
            target = ROOT / "static" / SHARE_IMAGE.format(locale=locale)
            target.parent.mkdir(parents=True, exist_ok=True)
            tab.set_content(card_html(app, locale))
            tab.add_style_tag(path=str(ROOT / "bench" / "share_card.css"))
            tab.screenshot(
                path=str(target), clip={"x": 0, "y": 0, "width": width, "height": height}
            )
            print(target.relative_to(ROOT), f"{target.stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main()
