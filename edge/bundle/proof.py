"""The chain proof of a bundle: every link from its start to the lane's head.

The case's events are scattered through the lane's whole chain, so the
proof lists every seq from the start to the head: the case's own events in
full (their files in ``events/``), every other one as its seq, hash,
``prev_hash`` and :func:`common.bundle_verify.content_sha256` only, so no
other case's content leaves the lane. The start is genesis, or — to keep a
bundle of a long-lived lane small — the latest checkpoint the hub
countersigned before the first event shown. What a verifier can prove from
it, and what it cannot, is in docs/evidence.md ("The case bundle").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from common.bundle_verify import content_sha256
from common.eventlog.chain import GENESIS_HASH, canonical_json
from common.eventlog.store import MAX_PAGE, EventStore


@dataclass(frozen=True)
class Span:
    """Where the proof starts (seq 0 is genesis) and the head it ends at, with the
    countersigned checkpoints it carries: the one it starts from, the first covering
    the case's last event, and the latest."""

    start: dict[str, Any]
    head: dict[str, Any]
    checkpoints: list[dict[str, Any]]


def span(checkpoints: list[dict[str, Any]], head: dict[str, Any], first_seq: int, last_seq: int) -> Span:
    """The proof's span for events shown from ``first_seq`` to ``last_seq``, given the kept checkpoints."""
    before = [c for c in checkpoints if c["seq"] < first_seq]
    start = {"seq": before[-1]["seq"], "hash": before[-1]["hash"]} if before else {"seq": 0, "hash": GENESIS_HASH}
    covering = next((c for c in checkpoints if c["seq"] >= last_seq), None)
    chosen = {c["seq"]: c for c in (before[-1:] + ([covering] if covering else []) + checkpoints[-1:])}
    return Span(start, head, [chosen[seq] for seq in sorted(chosen)])


def links(store: EventStore, proof: Span, shown: dict[int, str]) -> Iterator[bytes]:
    """The proof's lines (canonical JSON), seq by seq; ``shown`` maps the seqs shown in full to their files."""
    after = proof.start["seq"]
    while after < proof.head["seq"]:
        page = store.page(after_seq=after, limit=min(MAX_PAGE, proof.head["seq"] - after))
        for event in page:
            link = {"seq": event["seq"], "hash": event["hash"], "prev_hash": event["prev_hash"],
                    "content_sha256": content_sha256(event)}
            if event["seq"] in shown:
                link["event"] = shown[event["seq"]]
            yield canonical_json(link) + b"\n"
        after = page[-1]["seq"]
