"""Where presigned URLs that point at this server get their host.

``--public-url`` wins. Without it, the request's ``Host`` is trusted only when it names the
address and port the connection actually arrived on (an IP literal, or a name resolving to
it); anything else could hand clients an ``upload_url`` on a host an attacker chose.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from urllib.parse import urlsplit

from starlette.requests import Request

from runloop_tui.server.errors import InvalidArgument

RESOLVE_TTL_S = 60.0
_resolved: dict[str, tuple[float, frozenset[str]]] = {}


def _normal(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


async def _addresses(hostname: str) -> frozenset[str]:
    try:
        return frozenset({_normal(str(ipaddress.ip_address(hostname)))})
    except ValueError:
        pass
    cached = _resolved.get(hostname)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            hostname, None, type=socket.SOCK_STREAM
        )
        found = frozenset(_normal(str(info[4][0])) for info in infos)
    except (OSError, UnicodeError):
        found = frozenset()
    if len(_resolved) > 1024:
        _resolved.clear()
    _resolved[hostname] = (time.monotonic() + RESOLVE_TTL_S, found)
    return found


async def public_base_url(request: Request, public_url: str | None) -> str:
    """The base URL for presigned URLs on this server; InvalidArgument for an untrusted Host."""
    if public_url:
        return public_url.rstrip("/")
    scheme = request.url.scheme
    header = request.headers.get("host", "")
    local = request.scope.get("server")
    try:
        parts = urlsplit(f"//{header}")
        hostname, port = parts.hostname, parts.port
    except ValueError:
        hostname, port = None, None
    if local is not None and hostname:
        local_host, local_port = str(local[0]), int(local[1])
        if (port or (443 if scheme == "https" else 80)) == local_port and _normal(
            local_host
        ) in await _addresses(hostname):
            return f"{scheme}://{header}"
    shown = header[:100].encode("ascii", "backslashreplace").decode()
    raise InvalidArgument(
        f"the Host header {shown!r} does not name this server's address, so it cannot be"
        " used in a presigned URL; start the server with --public-url URL (the base URL"
        " clients use to reach it)"
    )
