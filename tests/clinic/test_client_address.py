"""The client address: REMOTE_ADDR unless that is a trusted proxy, then the
nearest untrusted address in X-Forwarded-For."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from clinic.core.client_address import client_address
from clinic.core.env import env_networks, env_rate, parse_rate

PROXY = "10.0.0.5"


def _request(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/v1/auth/token/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(_request(forwarded="198.51.100.1")) == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    request = _request(remote="203.0.113.9", forwarded="198.51.100.1, 10.0.0.7")

    assert client_address(request) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # The proxy appended the client's address.
        ("198.51.100.1", "198.51.100.1"),
        # A client-written entry left of the real one is not believed.
        ("6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Two trusted proxies in a row are both skipped.
        ("198.51.100.1, 10.1.2.3", "198.51.100.1"),
        (" 198.51.100.1 ,10.1.2.3 ", "198.51.100.1"),
        # IPv6, and IPv4 seen through an IPv6 socket.
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:198.51.100.1", "198.51.100.1"),
        # No header, or an empty one: the proxy itself.
        (None, PROXY),
        ("", PROXY),
        # Only trusted hops: the farthest one known.
        ("10.9.9.9, 10.1.2.3", "10.9.9.9"),
    ],
)
def test_behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client(
    settings, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request(remote=PROXY, forwarded=forwarded)) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("not-an-ip", PROXY),
        ("198.51.100.1, garbage", PROXY),
        # Malformed beyond a trusted hop: that hop's view.
        ("198.51.100.1, garbage, 10.1.2.3", "10.1.2.3"),
        ("1.2.3.4:5678", PROXY),
        ("[2001:db8::1]", PROXY),
        (",,,", PROXY),
        ("unknown", PROXY),
        ("1.2.3.4\x00", PROXY),
        ("x" * 10_000, PROXY),
    ],
)
def test_a_malformed_entry_stops_the_walk_at_the_last_trusted_hop(
    settings, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request(remote=PROXY, forwarded=forwarded)) == expected


@pytest.mark.parametrize("remote", ["", "unix:/run/gunicorn.sock", "  "])
def test_an_unusable_remote_addr_gives_no_address_and_trusts_nothing(settings, remote):
    settings.TRUSTED_PROXIES = ["0.0.0.0/0"]

    assert client_address(_request(remote=remote, forwarded="198.51.100.1")) == ""


def test_a_single_address_is_a_network_of_one(settings):
    settings.TRUSTED_PROXIES = env_networks("P", [], environ={"P": PROXY})

    assert client_address(_request(remote=PROXY, forwarded="198.51.100.1")) == (
        "198.51.100.1"
    )
    assert client_address(_request(remote="10.0.0.6", forwarded="198.51.100.1")) == (
        "10.0.0.6"
    )


def test_env_networks_reads_addresses_and_networks():
    value = "10.0.0.5, 172.16.0.0/12 ,2001:db8::/32"

    assert env_networks("P", [], environ={"P": value}) == [
        "10.0.0.5/32",
        "172.16.0.0/12",
        "2001:db8::/32",
    ]
    assert env_networks("P", [], environ={}) == []


@pytest.mark.parametrize(
    "value", ["10.0.0.300", "proxy.example.org", "10.0.0.1/8", "10.0.0.0/33", " , "]
)
def test_env_networks_refuses_a_bad_entry_at_start_up(value):
    with pytest.raises(ImproperlyConfigured, match="P "):
        env_networks("P", [], environ={"P": value})


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("20/minute", (20, 60)), ("1/second", (1, 1)), (" 5/Hour ", (5, 3600))],
)
def test_parse_rate(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["20", "0/minute", "-1/minute", "x/minute", "5/week"])
def test_env_rate_refuses_what_it_cannot_read(rate):
    with pytest.raises(ImproperlyConfigured, match="R must be a rate"):
        env_rate("R", "20/minute", environ={"R": rate})
