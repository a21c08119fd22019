"""The address a request came from, for throttling and for logs.

`X-Forwarded-For` is written by whoever sent the request, so it is believed
only as far as it was written by a proxy the deployment trusts
(`settings.TRUSTED_PROXIES`, empty by default). Each trusted proxy appends the
address it received the request from; reading from the right, the first
address that is not a trusted proxy is the client. Anything left of it was
written by the client and is ignored.
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, when that is a trusted proxy, the nearest address in
    X-Forwarded-For that is not one.

    A malformed X-Forwarded-For entry stops the walk: the answer is then the
    last trusted hop, the nearest address known to be real. Never raises; an
    unusable REMOTE_ADDR (a unix socket gives "") is returned as "".
    """
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hop = remote
    for entry in reversed(forwarded.split(",")):
        address = _parse(entry)
        if address is None:
            break
        hop = address
        if not _is_trusted(hop, networks):
            break
    return str(hop)


def _parse(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is still that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@functools.lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # Settings validate the list at start-up (clinic.core.env.env_networks).
    return tuple(ipaddress.ip_network(proxy) for proxy in proxies)


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)
