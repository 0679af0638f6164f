"""Radiation alarm adjudication codes, as the lane records them and the hub shows them.

An officer ends a radiation portal monitor's alarm by adjudicating it (after
the practice of RPM programmes: a real threat, or an innocent alarm and why).
The lane keeps the code in the ``radiation.adjudicated`` event; the control
room's board clears its alarm with the code said in words. Both read the
words here, so the lane's screens and the board never disagree.
"""

from __future__ import annotations

#: code → what an officer and the control room read
ADJUDICATIONS = {
    "real_threat": "Real threat",
    "innocent_norm": "Innocent alarm — NORM (naturally occurring radioactive material)",
    "innocent_medical": "Innocent alarm — medical isotope",
    "innocent_industrial": "Innocent alarm — declared industrial source",
    "false_alarm": "False alarm",
    "test_source": "Test source",
    "tamper": "Tamper",
}
SECONDARY_RESULTS = ("no_source_found", "source_identified", "not_done")


def adjudication_words(code: str) -> str:
    """The code in words (an unknown code as it is: a newer lane's code is still shown)."""
    return ADJUDICATIONS.get(code, code.replace("_", " "))
