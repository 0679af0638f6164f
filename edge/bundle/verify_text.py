"""VERIFY.txt, the page inside every case bundle that says how to check it (by hand and by tool)."""

VERIFY_TEXT = """\
How to check this case bundle
=============================

This zip is a lanebox case bundle: the record of one inspection or seizure
at one vehicle lane, with the proof that it has not changed since it was
recorded. You need nothing from lanebox's systems to check it.

With the tool
-------------
    lanebox verify-bundle THIS.zip --lane-key ed25519:... --hub-key ed25519:...

or, without lanebox installed, copy three files of lanebox's source into
one folder -- common/bundle_verify.py, common/eventlog/chain.py and
common/timestamp_token.py -- and run, with Python 3.11+ and the
"cryptography" package:

    python3 bundle_verify.py THIS.zip --lane-key ed25519:... --hub-key ed25519:...

--lane-key is the lane's published public key (the port's hub serves every
lane's at GET /api/v1/hub/lane-keys; `lanebox label-key` prints it at the
lane), --hub-key the hub's (`lanebox hub key`). Without them the tool uses
the keys the bundle names, and says so: then compare those with the
published ones yourself. It answers VERIFIED and what the bundle proves
(exit 0), or NOT VERIFIED and the first thing that failed (exit 1).

By hand
-------
1. manifest.json lists every other file with its SHA-256 and size. Compute
   each file's SHA-256 (sha256sum) and compare. Nothing may be missing or added.
2. manifest.sig is the base64 Ed25519 signature, by the lane's key, of the
   bytes "lanebox case bundle manifest v1" + a newline + manifest.json.
3. events/ holds the case's events, each file the canonical JSON of one
   event (keys sorted, no spaces, UTF-8). An event's "hash" is the SHA-256
   of the canonical JSON of its fields seq, id, lane, type, ts, actor,
   payload and prev_hash (every field but "hash").
4. chain/links.jsonl has one line per event of the lane's chain, from the
   start (seq 0 is the chain's beginning; otherwise a checkpoint the hub
   countersigned) to the head the manifest names. Each line's prev_hash is
   the hash of the line before. Lines of this case name their file in
   events/; the other lines show only the hash, the prev_hash and
   content_sha256 (the SHA-256 of the event's canonical JSON without
   prev_hash), so no other case's content is in this bundle.
5. frames/ holds the raw bytes each device sent, as the event's "raw.hex"
   recorded them; photos/ the photos, each named by its SHA-256;
   calibration/ the certificates of the devices whose readings are in the
   case (their calibration.recorded events are in events/); reports/ the
   reports printed when the bundle was made.
6. checkpoints/hub-*.json are the hub's Ed25519 signatures of the bytes
   "lanebox chain countersignature v1" + a newline + the canonical JSON of
   {lane, seq, hash, at}: the hub held the lane's chain up to that seq at
   that time. checkpoints/tsa-*.tsr are RFC 3161 time-stamp tokens over the
   same hash (openssl ts -verify -digest HASH -in tsa-....tsr -token_in
   -CAfile tsa-ca.pem); whether to trust the time-stamp authority's
   certificate is for the port to show.

What this proves, and what it does not, is explained in lanebox's
docs/evidence.md, "The case bundle".
"""
