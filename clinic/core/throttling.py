"""Per-address limit on login attempts (API token endpoint and admin login).

One budget per client address (clinic.core.client_address; per /64 for IPv6) for
both doors, at `settings.LOGIN_THROTTLE_RATE`, counted in the default cache: a
database table or Redis, shared by every worker process. A per-process cache
would give each worker its own budget.

Counting is a fixed window aligned to the clock (a minute for "20/minute"):
the first attempt in a window adds the counter, later ones increment it
atomically (clinic.core.cache.DatabaseCache.incr, or Redis INCR). At a window's
edge a client can make up to twice the limit in a short burst; a sliding log
would close that but costs a read-modify-write per attempt, which is not
atomic in the database cache.

django-axes's per-username lockout is separate and unchanged.
"""

import functools
import ipaddress
import logging
import math
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from clinic.core.client_address import client_address
from clinic.core.env import parse_rate

logger = logging.getLogger("clinic.core.throttling")


def login_attempt_wait(request: HttpRequest) -> int | None:
    """Count one login attempt from the request's address.

    None if it is within the limit, else the whole seconds until the window
    ends (for Retry-After), at least 1.
    """
    limit, period = parse_rate(settings.LOGIN_THROTTLE_RATE)
    address = client_address(request)
    now = time.time()
    window = int(now // period)
    count = _count(f"login-throttle:{period}:{window}:{_bucket(address)}", period)
    if count <= limit:
        return None
    wait = max(1, math.ceil((window + 1) * period - now))
    if count == limit + 1:
        # Once per address and window, so a flood is one line, not thousands.
        logger.warning(
            "Login attempts from %s over the limit (%s); refused for %s s.",
            address or "an unknown address",
            settings.LOGIN_THROTTLE_RATE,
            wait,
        )
    return wait


def _bucket(address: str) -> str:
    """The address itself, or for IPv6 its /64: one subscriber or site gets a
    whole /64, so counting single IPv6 addresses would give a client 2**64
    budgets (as one IPv4 address behind NAT, the /64 is shared)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return address


def _count(key: str, period: int) -> int:
    """Add one to the window's counter and return it."""
    # The entry outlives its window by a second: the database cache stores
    # expiry in whole seconds, rounded down.
    for _ in range(3):
        try:
            return cache.incr(key)
        except ValueError:
            # No counter yet: this is the window's first attempt, unless
            # another worker adds it first, in which case increment theirs.
            if cache.add(key, 1, timeout=period + 1):
                return 1
    # Three races in a row do not happen within one window unless the cache
    # is failing; refuse rather than let an attempt through uncounted.
    return sys.maxsize


def throttle_login_posts(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Wrap a login view so POSTs beyond the per-address rate get a plain 429
    without reaching the view (no password is checked). GETs of the page are
    not counted."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "POST":
            wait = login_attempt_wait(request)
            if wait is not None:
                return too_many_attempts(wait)
        return view(request, *args, **kwargs)

    return wrapped


def too_many_attempts(wait: int) -> HttpResponse:
    response = HttpResponse(
        f"Too many login attempts from your address; try again in {wait} seconds.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(wait)
    add_never_cache_headers(response)
    return response
