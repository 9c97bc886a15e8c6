"""Source titles carry their language: English titles are marked on Vietnamese pages and the
Vietnamese articles keep their own titles."""

from __future__ import annotations

import pytest
from helpers import add_user, login, page
from test_admin_bank import edit
from test_bank import SOURCES, TOPIC

from tipquiz.bank import BankInvalid, read_bank_files, write_bank
from tipquiz.db import get_session
from tipquiz.models import Source

VI_SOURCES = SOURCES.replace(
    '    title: "Another article"\n', '    title: "Một bài báo khác"\n    language: vi\n'
)


def test_a_source_title_language_is_read_and_english_by_default():
    bank = read_bank_files({"sources.yaml": VI_SOURCES, "signs.yaml": TOPIC})
    assert [(s.key, s.language) for s in bank.sources] == [("seed-one", "en"), ("seed-two", "vi")]


def test_the_writer_keeps_the_language_after_the_title_and_round_trips():
    bank = read_bank_files({"sources.yaml": VI_SOURCES, "signs.yaml": TOPIC})
    written = write_bank(bank)["sources.yaml"]
    assert "  title: Một bài báo khác\n  language: vi\n  publisher: Another paper\n" in written
    assert written.count("language:") == 1, "English, the default, is not written"
    again = read_bank_files({"sources.yaml": written, "signs.yaml": TOPIC})
    assert write_bank(again)["sources.yaml"] == written


def test_an_unknown_language_is_an_error_with_its_line():
    bad = VI_SOURCES.replace("language: vi", "language: Vietnamese")
    with pytest.raises(BankInvalid) as caught:
        read_bank_files({"sources.yaml": bad, "signs.yaml": TOPIC})
    line = bad.splitlines().index("    language: Vietnamese") + 1
    assert [(e.file, e.line, e.params) for e in caught.value.errors] == [
        ("sources.yaml", line, {"language": "Vietnamese"})
    ]


def test_the_bank_gives_the_vietnamese_article_its_own_title(bank):
    by_key = {s.key: s for s in bank.sources}
    article = by_key["seed-002-baothainguyen"]
    assert article.language == "vi"
    assert article.title == "Tăng cường phối hợp liên ngành trong cuộc chiến chống mua bán người"
    assert {s.language for k, s in by_key.items() if k != article.key} == {"en"}


def test_sources_page_marks_titles_in_another_language(client):
    client.get("/lang/vi")
    soup = page(client.get("/sources"))
    links = {li["id"]: li.find("a") for li in soup.find("ol", class_="sources").find_all("li")}
    assert links["source-seed-002-baothainguyen"].get("lang") is None
    assert links["source-seed-000-vietnamtimes"]["lang"] == "en"
    assert sum(1 for a in links.values() if a.get("lang") == "en") == len(links) - 1
    client.get("/lang/en")
    soup = page(client.get("/sources"))
    article = soup.find("li", id="source-seed-002-baothainguyen").find("a")
    assert article["lang"] == "vi"
    assert soup.find("li", id="source-seed-000-vietnamtimes").find("a").get("lang") is None


def test_admin_sets_the_title_language(app):
    add_user(app, "quan", "admin")
    admin = app.test_client()
    login(admin, "quan")
    admin.get("/lang/en")
    url = "/admin/sources/seed-000-vietnamtimes"
    select = page(admin.get(url)).find("select", id="language")
    assert select.find("option", selected=True)["value"] == "en"
    assert edit(admin, url, {"language": "vi"}).status_code == 302
    with app.app_context():
        source = get_session().query(Source).filter_by(key="seed-000-vietnamtimes").one()
        assert source.language == "vi"
    assert edit(admin, url, {"language": "fr"}).status_code == 422
    listed = page(admin.get("/admin/sources"))
    link = listed.find("a", href="/admin/sources/seed-000-vietnamtimes")
    assert link["lang"] == "vi"
    assert listed.find("a", href="/admin/sources/seed-001-vietnamnews").get("lang") is None
