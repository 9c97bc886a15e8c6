"""Serving a room from a laptop: the LAN address, join links phones can open, trusted proxies."""

from __future__ import annotations

import json

import pytest
import segno
from conftest import make_app
from helpers import add_user, login, page, submit
from test_facilitator import NEW, create, workshop_id

from tipquiz import lan, room
from tipquiz.bank_store import import_bank
from tipquiz.db import get_session

LAN_URL = "http://192.168.1.20:5000"

IP_JSON = json.dumps(
    [
        {
            "ifname": "lo",
            "flags": ["LOOPBACK", "UP"],
            "operstate": "UNKNOWN",
            "addr_info": [{"family": "inet", "local": "127.0.0.1"}],
        },
        {
            "ifname": "docker0",
            "flags": ["UP"],
            "operstate": "UP",
            "addr_info": [{"family": "inet", "local": "172.17.0.1"}],
        },
        {
            "ifname": "enp3s0",
            "flags": ["UP"],
            "operstate": "DOWN",
            "addr_info": [{"family": "inet", "local": "10.0.0.5"}],
        },
        {
            "ifname": "wlp2s0",
            "flags": ["BROADCAST", "UP", "LOWER_UP"],
            "operstate": "UP",
            "addr_info": [
                {"family": "inet6", "local": "fe80::1"},
                {"family": "inet", "local": "192.168.1.20"},
            ],
        },
    ]
)


def test_the_room_address_is_the_laptop_s_wifi_not_loopback_docker_or_a_cable_unplugged():
    found = lan.parse_ip_json(IP_JSON)
    assert [a.address for a in found] == ["127.0.0.1", "172.17.0.1", "10.0.0.5", "192.168.1.20"]
    assert lan.choose_address(found) == "192.168.1.20"
    assert lan.choose_address(found[:3]) is None, "loopback, docker and a down cable reach no phone"
    hotspot = lan.InterfaceAddress("eth0", "192.168.43.7")
    assert lan.choose_address([*found[:3], hotspot]) == "192.168.43.7"
    public = lan.InterfaceAddress("wlan0", "81.2.69.160")
    assert lan.choose_address([public, hotspot]) == "192.168.43.7", "a private network first"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("127.0.0.1:5000", True),
        ("127.1.2.3", True),
        ("[::1]:5000", True),
        ("::1", True),
        ("0.0.0.0:5000", True),
        ("app.localhost", True),
        ("", True),
        ("192.168.1.20:5000", False),
        ("quiz.example.org", False),
        ("[fd00::2]:8000", False),
    ],
)
def test_loopback_hosts_are_told_apart_from_addresses_phones_can_reach(host, loopback):
    assert lan.is_loopback_host(host) is loopback


def test_the_terminal_shows_the_address_and_its_qr_code():
    text = room.banner("192.168.1.20", 5000)
    assert "http://192.168.1.20:5000/" in text
    expected = room.terminal_qr("http://192.168.1.20:5000/")
    assert expected in text and "█" in expected
    assert segno.make("http://192.168.1.20:5000/", error="m").version <= 3, "small in a terminal"
    assert "http://192.168.1.20/" in room.banner("192.168.1.20", 80)
    public = room.banner(None, 5000, "https://quiz.example.org")
    assert "https://quiz.example.org/" in public
    missing = room.banner(None, 5000)
    assert "No local network found" in missing and "Wi-Fi" in missing


def test_the_room_command_listens_on_the_lan_and_hands_the_address_to_the_app():
    command = room.gunicorn_command(8000, 2, 4)
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert command[-1] == "tipquiz:create_app()"
    env = room.room_environment("192.168.1.20", 8000, {"PATH": "/usr/bin"})
    assert env == {"PATH": "/usr/bin", "TIPQUIZ_LAN_URL": "http://192.168.1.20:8000"}
    assert "TIPQUIZ_LAN_URL" not in room.room_environment(None, 8000, {})


def room_app(database_url, bank, **config):
    app = make_app(database_url, **config)
    with app.app_context():
        import_bank(get_session(), bank)
        get_session().commit()
    return app


def signed_in(app, **client_args):
    add_user(app, "lan")
    client = app.test_client(**client_args)
    client.get("/lang/en", **client_args.get("get", {}))
    assert login(client, "lan").status_code == 302
    return client


def join_pages(client, url: str):
    """The three pages that give phones the join link: workshop page, handout, projector."""
    number = workshop_id(url)
    return [
        page(client.get(url)),
        page(client.get(f"/facilitator/workshops/{number}/handout")),
        page(client.get(f"/facilitator/workshops/{number}/present")),
    ]


def links_and_warnings(client, url: str) -> tuple[set[str], list[bool]]:
    soups = join_pages(client, url)
    links = set()
    for soup in soups:
        for element in soup.select(".join-url"):
            links.add(element.get("href") or element.get_text(strip=True))
        for title in soup.select("svg.qr title"):
            links.add(title.get_text().split()[-1])
    return links, [soup.find(class_="join-warning") is not None for soup in soups]


def code_of(client, url: str) -> str:
    return page(client.get(url)).find("p", class_="join-code").get_text(strip=True)


def test_on_loopback_alone_every_join_page_warns_the_facilitator(database_url, bank):
    app = room_app(database_url, bank)
    client = signed_in(app)
    url = create(client)
    code = code_of(client, url)
    links, warnings = links_and_warnings(client, url)
    assert warnings == [True, True, True]
    assert f"http://localhost/j/{code}" in links
    warning = page(client.get(url)).find(class_="join-warning")
    assert warning["role"] == "alert"
    assert "Phones cannot open this link" in warning.get_text()
    assert "make room" in warning.get_text() and "TIPQUIZ_PUBLIC_URL" in warning.get_text()

    client.get("/lang/vi")
    warning = page(client.get(url)).find(class_="join-warning")
    assert "Điện thoại không mở được đường dẫn này" in warning.get_text()
    assert "make room" in warning.get_text()


def test_the_lan_address_found_by_the_room_command_goes_in_every_link(database_url, bank):
    app = room_app(database_url, bank, LAN_URL=LAN_URL)
    client = signed_in(app)
    url = create(client)
    code = code_of(client, url)
    links, warnings = links_and_warnings(client, url)
    assert warnings == [False, False, False]
    assert f"{LAN_URL}/j/{code}" in links
    assert all(link.startswith(LAN_URL) for link in links), links
    handout = page(client.get(f"/facilitator/workshops/{workshop_id(url)}/handout"))
    assert f"{LAN_URL}/" in handout.find("p", class_="handout-or").get_text()
    qr_file = client.get(f"/facilitator/workshops/{workshop_id(url)}/qr.svg")
    assert f"{LAN_URL}/j/{code}".encode() in qr_file.data


def test_a_configured_public_address_wins_over_the_lan_one(database_url, bank):
    app = room_app(database_url, bank, LAN_URL=LAN_URL, PUBLIC_URL="https://quiz.example.org/")
    client = signed_in(app)
    url = create(client)
    code = code_of(client, url)
    links, warnings = links_and_warnings(client, url)
    assert links == {f"https://quiz.example.org/j/{code}", "https://quiz.example.org/"}
    assert warnings == [False, False, False]


def test_a_facilitator_who_opened_the_app_on_the_lan_gets_that_address(database_url, bank):
    app = room_app(database_url, bank)
    base = {"base_url": "http://192.168.1.20:5000"}
    add_user(app, "lan")
    client = app.test_client()
    client.get("/lang/en", **base)
    credentials = {"username": "lan", "password": "correct horse battery"}
    assert submit(client, "/login", credentials, **base).status_code == 302
    response = submit(
        client,
        NEW,
        {"title": "Lớp 10A", "language": "en", "topics": ["warning-signs"], "question_count": "4"},
        action=NEW,
        **base,
    )
    url = response.location
    soup = page(client.get(url, **base))
    code = soup.find("p", class_="join-code").get_text(strip=True)
    assert soup.find("a", class_="join-url")["href"] == f"http://192.168.1.20:5000/j/{code}"
    assert soup.find(class_="join-warning") is None


FORGED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-For": "6.6.6.6",
}


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(database_url, bank):
    app = room_app(database_url, bank)
    client = signed_in(app)
    url = create(client)
    code = code_of(client, url)
    response = client.get(url, headers=FORGED)
    soup = page(response)
    assert soup.find("a", class_="join-url")["href"] == f"http://localhost/j/{code}"
    assert "evil.example" not in response.get_data(as_text=True)
    assert soup.find(class_="join-warning") is not None
    assert "Strict-Transport-Security" not in response.headers


def test_behind_one_trusted_proxy_links_and_cookies_carry_the_public_scheme_and_host(
    database_url, bank
):
    app = room_app(database_url, bank, HTTPS=True, PROXY_COUNT=1)
    proxy = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "quiz.example.org",
        # Over HTTPS the form token is only taken with a Referer of the same origin.
        "Referer": "https://quiz.example.org/facilitator/",
    }
    add_user(app, "lan")
    client = app.test_client()
    client.get("/lang/en", headers=proxy)
    response = submit(
        client, "/login", {"username": "lan", "password": "correct horse battery"}, headers=proxy
    )
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("tipquiz="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    response = submit(
        client,
        NEW,
        {"title": "Lớp 10A", "language": "en", "topics": ["warning-signs"], "question_count": "4"},
        action=NEW,
        headers=proxy,
    )
    url = response.location
    response = client.get(url, headers=proxy)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    soup = page(response)
    code = soup.find("p", class_="join-code").get_text(strip=True)
    assert soup.find("a", class_="join-url")["href"] == f"https://quiz.example.org/j/{code}"
    assert soup.find(class_="join-warning") is None

    # Only the hop the proxy appended is believed: a value the phone put first is not.
    chained = {**proxy, "X-Forwarded-Host": "evil.example, quiz.example.org"}
    soup = page(client.get(url, headers=chained))
    assert soup.find("a", class_="join-url")["href"] == f"https://quiz.example.org/j/{code}"
