"""Finding the address phones in the room can reach this laptop on, without sending a packet.

A workshop in a school hall runs on the laptop's Wi-Fi or a phone's hotspot. The join link must
carry the laptop's address on that network, never 127.0.0.1 (which, on a phone, is the phone
itself). The address is read from the interfaces the system lists (``ip -j addr``); nothing is
sent anywhere, so this works with no internet and no route.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

# Interfaces that belong to containers, VPNs and virtual machines: phones are never behind them.
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg", "zt")
# Names Linux gives Wi-Fi and cabled interfaces; Wi-Fi first, as that is where phones are.
WIFI_PREFIXES = ("wl", "wlan", "wifi")


@dataclass(frozen=True)
class InterfaceAddress:
    interface: str
    address: str
    up: bool = True


def is_loopback_host(host: str | None) -> bool:
    """True for a host name that means "this machine": 127.0.0.0/8, ::1, localhost, 0.0.0.0."""
    if not host:
        return True
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and "]" in host:
        host = host[1 : host.index("]")]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def parse_ip_json(output: str) -> list[InterfaceAddress]:
    """The IPv4 addresses in the JSON that ``ip -j addr`` prints, with their interface."""
    found = []
    for link in json.loads(output or "[]"):
        up = "UP" in link.get("flags", []) and link.get("operstate") != "DOWN"
        for info in link.get("addr_info", []):
            if info.get("family") == "inet" and info.get("local"):
                found.append(InterfaceAddress(link.get("ifname", ""), info["local"], up))
    return found


def rank(candidate: InterfaceAddress) -> tuple[int, int, int] | None:
    """How likely phones are to reach an address (lower is better), or None if they cannot."""
    try:
        address = ipaddress.IPv4Address(candidate.address)
    except ValueError:
        return None
    if address.is_loopback or address.is_link_local or address.is_unspecified:
        return None
    if not candidate.up or candidate.interface.startswith(VIRTUAL_PREFIXES):
        return None
    wifi = 0 if candidate.interface.startswith(WIFI_PREFIXES) else 1
    private = 0 if address.is_private else 1
    return (private, wifi, int(address))


def choose_address(candidates: Iterable[InterfaceAddress]) -> str | None:
    """The best address for a room of phones: private, on Wi-Fi if there is one; else None."""
    ranked = [(r, c.address) for c in candidates if (r := rank(c)) is not None]
    return min(ranked)[1] if ranked else None


def system_addresses() -> list[InterfaceAddress]:
    """This machine's IPv4 addresses: from ``ip -j addr``, or from the host name's addresses."""
    ip = shutil.which("ip")
    if ip:
        try:
            result = subprocess.run(
                [ip, "-j", "-4", "addr"], capture_output=True, text=True, timeout=5, check=True
            )
            return parse_ip_json(result.stdout)
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [InterfaceAddress("", str(info[4][0])) for info in infos]


def lan_address() -> str | None:
    return choose_address(system_addresses())


def base_url(address: str, port: int, scheme: str = "http") -> str:
    """``http://192.168.1.20:5000``, leaving out the port when it is the scheme's default."""
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{address}" + ("" if port == default else f":{port}")
