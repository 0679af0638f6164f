"""Case bundles for court: one zip per inspection or seizure that proves itself.

A bundle holds the case's events as stored, the chain proof from genesis (or
from a checkpoint the hub countersigned) to the head, the reports, photos,
raw device frames, calibration certificates, the hub's countersignatures
and time-stamp tokens, and a manifest of all of it signed with the lane's
key — checked by :mod:`common.bundle_verify` (``lanebox verify-bundle``)
with no lanebox data. What it proves and what not: docs/evidence.md,
"The case bundle".
"""
