"""``make room``: serve a workshop to the phones on this laptop's Wi-Fi or hotspot.

It listens on every interface, finds the laptop's address on the local network without
sending any packet (``tipquiz.lan``), prints the address phones open with a QR code in the
terminal, tells the app that address (``TIPQUIZ_LAN_URL``) so join links and QR codes carry it,
and then becomes gunicorn.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
from collections.abc import Sequence

import segno

from .lan import base_url, lan_address

BIND_ALL = "0.0.0.0"


def terminal_qr(url: str) -> str:
    """The address as a QR code drawn with block characters, small enough for a terminal."""
    out = io.StringIO()
    segno.make(url, error="m", micro=False).terminal(out=out, compact=True, border=2)
    return out.getvalue()


def banner(address: str | None, port: int, public_url: str = "") -> str:
    """What the facilitator reads in the terminal: where phones go, where they sign in."""
    if address is None and not public_url:
        return "\n".join(
            [
                "No local network found: this laptop is not on a Wi-Fi or hotspot.",
                "Join the room's Wi-Fi (or turn on a phone's hotspot and join it), then start",
                "`make room` again so that phones can reach this laptop.",
                f"Meanwhile the app answers on {base_url('127.0.0.1', port)}/ on this laptop only.",
                "",
            ]
        )
    home = public_url.rstrip("/") + "/" if public_url else base_url(str(address), port) + "/"
    return "\n".join(
        [
            "Phones on this Wi-Fi or hotspot open:",
            "",
            f"    {home}",
            "",
            terminal_qr(home),
            f"Facilitators sign in on this laptop at {base_url('127.0.0.1', port)}/login;",
            "each workshop's page then shows its own join link and QR code for the room.",
            "",
        ]
    )


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    return [
        gunicorn,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"{BIND_ALL}:{port}",
        "--access-logformat",
        '%(t)s "%(r)s" %(s)s %(b)s %(M)sms',
        "--access-logfile",
        "-",
        "tipquiz:create_app()",
    ]


def room_environment(address: str | None, port: int, environ: dict[str, str]) -> dict[str, str]:
    """The app's environment: the LAN address for join links, unless a public one is set."""
    env = dict(environ)
    if address is not None:
        env["TIPQUIZ_LAN_URL"] = base_url(address, port)
    return env


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    address = lan_address()
    print(banner(address, args.port, os.environ.get("TIPQUIZ_PUBLIC_URL", "")), flush=True)
    command = gunicorn_command(args.port, args.workers, args.threads)
    os.execve(command[0], command, room_environment(address, args.port, dict(os.environ)))


if __name__ == "__main__":
    main()
