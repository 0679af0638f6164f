"""The client's address behind trusted proxies, and only behind them."""

from __future__ import annotations

import pytest
from flask import Flask, request

from common.web.client import TrustedProxies, client_address, parse_proxies

NGINX = parse_proxies(["127.0.0.1", "10.9.0.0/24"])


@pytest.mark.parametrize("peer,header,expected", [
    ("127.0.0.1", "10.0.0.7", "10.0.0.7"),                      # nginx says who it was
    ("127.0.0.1", "6.6.6.6, 10.0.0.7", "10.0.0.7"),             # a client's own forged entry is left of nginx's
    ("127.0.0.1", "10.0.0.7, 10.9.0.4", "10.0.0.7"),            # two trusted hops
    ("10.0.0.66", "10.0.0.7", "10.0.0.66"),                     # not from a proxy: the header is the client's word
    ("127.0.0.1", "not-an-address", "127.0.0.1"),               # garbled: believe none of it
    ("127.0.0.1", None, "127.0.0.1"),
    ("127.0.0.1", "10.9.0.4", "127.0.0.1"),                     # only proxies: the nearest is all we know
])
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(peer: str, header: str | None,
                                                                     expected: str) -> None:
    assert client_address(peer, header, NGINX) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("127.0.0.1", "10.0.0.7", ()) == "127.0.0.1"


def test_a_bad_proxy_entry_is_named() -> None:
    with pytest.raises(ValueError, match="'nginx.local' is not an IP address"):
        parse_proxies(["127.0.0.1", "nginx.local"])


def test_the_middleware_gives_every_request_its_client_address() -> None:
    app = Flask(__name__)
    app.add_url_rule("/who", "who", lambda: request.remote_addr or "")
    app.wsgi_app = TrustedProxies(app.wsgi_app, NGINX)  # type: ignore[method-assign]
    client = app.test_client()
    assert client.get("/who", headers={"X-Forwarded-For": "10.0.0.7"}).text == "10.0.0.7"
    assert client.get("/who", headers={"X-Forwarded-For": "10.0.0.8"},
                      environ_base={"REMOTE_ADDR": "10.0.0.66"}).text == "10.0.0.66"


def test_the_hub_reads_trusted_proxies_from_its_config_and_names_a_bad_one() -> None:
    from common.config import ConfigError
    from sync.hub.config import parse_hub_config

    hub = parse_hub_config({"hub": {"id": "HUB", "data_dir": "data", "trusted_proxies": ["127.0.0.1", "10.9.0.0/24"]}})
    assert hub.trusted_proxies == NGINX
    with pytest.raises(ConfigError, match=r"hub\.trusted_proxies.*'nginx' is not an IP address"):
        parse_hub_config({"hub": {"id": "HUB", "data_dir": "data", "trusted_proxies": ["nginx"]}})
    assert parse_hub_config({"hub": {"id": "HUB", "data_dir": "data"}}).trusted_proxies == ()
