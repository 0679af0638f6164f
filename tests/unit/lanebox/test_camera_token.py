"""``lanebox camera-token`` prints a token and the hash the lane's config keeps of it."""

from __future__ import annotations

import re

from edge.cameras.tokens import token_matches
from lanebox.cli import main


def test_the_printed_hash_is_the_printed_tokens(capsys):
    assert main(["camera-token"]) == 0
    out = capsys.readouterr().out
    token = re.search(r"shown once\): (\S+)", out).group(1)
    digest = re.search(r'token_sha256 = "([0-9a-f]{64})"', out).group(1)
    assert len(token) >= 40 and token_matches(token, digest)
    assert main(["camera-token"]) == 0 and token not in capsys.readouterr().out
