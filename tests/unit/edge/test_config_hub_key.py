"""``[upstream] hub_key``: the hub's identity pinned in the lane's config.

A lane sends its sync token only to a hub that proves it holds this key
(docs/sync-protocol.md), so a config that would send it to an unproven hub
does not load: one found by mDNS, or at a plain-HTTP url, needs the key.
"""

from __future__ import annotations

import pytest

from edge.config import ConfigError, load_config
from tests.support.lane_config import GOOD

KEY_LINE = 'hub_key = "ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="\n'


def load(tmp_path, text):
    path = tmp_path / "lane.toml"
    path.write_text(text)
    return load_config(path)


def test_the_pinned_key_is_kept(tmp_path):
    upstream = load(tmp_path, GOOD).upstream
    assert upstream is not None and upstream.hub_key == KEY_LINE.split('"')[1]


@pytest.mark.parametrize("change,words", [
    ((KEY_LINE, ""), "required unless url is https"),  # a plain-HTTP hub
    (('url = "http://127.0.0.1:9090"\n' + 'token = "secret"\n' + KEY_LINE, 'token = "secret"\n'),
     "required unless url is https"),  # found by mDNS
    (("ed25519:A6EH", "ed25519:A6E"), "not valid base64"),
    (("ed25519:A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", "ed25519:AAAA"), "32 bytes"),
    (("ed25519:", "rsa:"), "must start with 'ed25519:'"),
])
def test_a_config_that_would_send_the_token_to_an_unproven_hub_does_not_load(tmp_path, change, words):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, GOOD.replace(*change, 1))
    assert ": upstream.hub_key: " in str(info.value) and words in str(info.value)


def test_an_https_hub_may_go_unpinned_its_certificate_vouches_for_it(tmp_path):
    text = GOOD.replace(KEY_LINE, "").replace("http://127.0.0.1:9090", "https://hub.port:9090")
    upstream = load(tmp_path, text).upstream
    assert upstream is not None and upstream.hub_key is None and upstream.url == "https://hub.port:9090"


def test_a_lane_without_a_token_needs_no_key(tmp_path):
    upstream = load(tmp_path, GOOD.replace(KEY_LINE, "").replace('token = "secret"\n', "")).upstream
    assert upstream is not None and upstream.token is None
