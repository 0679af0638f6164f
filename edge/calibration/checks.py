"""Functional checks of the devices that are not scales.

- The trace detector's daily verification: a verification trap of a known
  substance must alarm with that substance, then a blank must stay clear;
  recorded with the trap's lot. Only the detector's verification results
  (etd-ascii ``VER`` lines, docs/etd-ascii.md) are scored: the lane keeps
  working during the check, and an officer's swab (a ``RES`` line) that
  comes in meanwhile is noted on the step as not scored, never taken for
  the trap or the blank. A failed verification, or a day without one, marks
  the detector ``calibration_due`` (its record is due again in 24 h).
- Barcode and document readers: scan a reference label / specimen document;
  what the reader decodes must match what the technician expects.

A check is a list of steps, each waiting for one reading from the device
after the technician has armed it; the reading is judged when it comes.
Pure logic: readings come in as the ``reading`` messages of docs/contract.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

ETD_DAILY, READER_FUNCTIONAL = "etd-daily", "reader-functional"
CHECK_KINDS = (ETD_DAILY, READER_FUNCTIONAL)
"""The kinds of ``calibration.recorded`` that are a device's check; any other kind is a calibration."""
#: a daily check is good for one day
ETD_VALID_HOURS = 24

Judge = Callable[[dict[str, Any]], tuple[bool, str]]
#: None when a reading is one the step scores, else why it is not (a lane swab during a daily check)
Accepts = Callable[[dict[str, Any]], str | None]
#: readings a waiting step passed over that its record keeps (the count goes on)
IGNORED_KEPT = 20


def any_reading(data: dict[str, Any]) -> str | None:
    """A reader's check scores whatever the reader reads next."""
    return None


def verification_only(data: dict[str, Any]) -> str | None:
    """A daily check scores only a verification result (``VER``); a swab's result (``RES``) is lane work."""
    if data.get("verification") is not None:
        return None
    sample = data.get("sample_id")
    return (f"lane swab {sample} ({data.get('result')}) not scored: it is not a verification result" if sample
            else f"a lane swab ({data.get('result')}) not scored: it is not a verification result")


def trap_judge(substance: str, trap_lot: str) -> Judge:
    """The trap's verification must alarm, naming ``substance``, and say PASS for this lot."""
    def check(data: dict[str, Any]) -> tuple[bool, str]:
        names = [s["name"] for s in data.get("substances", [])]
        found = any(n.lower() == substance.lower() for n in names)
        verification = data["verification"]
        if data.get("result") != "alarm" or not found:
            got = f"{data.get('result')} ({', '.join(names) or 'nothing'})"
            return False, f"expected an alarm on {substance}; got {got}"
        if verification["trap_lot"] != trap_lot:
            return False, f"the detector verified lot {verification['trap_lot']}, not the trap's lot {trap_lot}"
        if not verification["passed"]:
            return False, f"the detector reported the verification of lot {trap_lot} as failed"
        return True, f"alarm on {substance}"
    return check


def blank_judge(data: dict[str, Any]) -> tuple[bool, str]:
    """A blank's verification must come out clear."""
    names = [s["name"] for s in data.get("substances", [])]
    if data.get("result") != "clear":
        return False, f"the blank gave {data.get('result')} ({', '.join(names) or 'no substance'})"
    return True, "clear"


def scan_judge(kind: str, expected: str) -> Judge:
    """The decoded text (barcode) or document number (document) must equal ``expected``."""
    def check(data: dict[str, Any]) -> tuple[bool, str]:
        if kind == "document":
            mrz = data.get("mrz") or {}
            got = str(mrz.get("document_number") or "").replace("<", "")
            if not mrz.get("valid"):
                return False, f"document {got} read, but its check digits fail"
        else:
            got = str(data.get("text", "")).strip()
        if got != expected:
            return False, f"read {got!r}, expected {expected!r}"
        return True, f"read {got!r} as expected"
    return check


@dataclass
class CheckStep:
    name: str
    prompt: str
    judge: Judge
    accepts: Accepts = any_reading
    state: str = "pending"   # pending → waiting (armed) → done
    passed: bool | None = None
    detail: str | None = None
    reading: dict[str, Any] | None = None
    ignored: list[dict[str, Any]] = field(default_factory=list)
    ignored_count: int = 0

    def pass_over(self, message: dict[str, Any], why: str) -> None:
        """A reading this step does not score: kept (the first few) so the record says what came in meanwhile."""
        self.ignored_count += 1
        if len(self.ignored) < IGNORED_KEPT:
            self.ignored.append({"seq": message.get("seq"), "ts": message.get("ts"), "detail": why})

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "prompt": self.prompt, "state": self.state, "passed": self.passed,
                "detail": self.detail, "reading": self.reading, "ignored": list(self.ignored),
                "ignored_count": self.ignored_count}


@dataclass
class DeviceCheck:
    """One functional check of one device."""

    device_id: str
    kind: str
    params: dict[str, Any]
    steps: list[CheckStep]
    started_by: str
    started_at: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def current(self) -> CheckStep | None:
        return next((s for s in self.steps if s.state != "done"), None)

    @property
    def complete(self) -> bool:
        return self.current is None

    @property
    def passed(self) -> bool | None:
        return all(s.passed for s in self.steps) if self.complete else None

    def arm(self) -> CheckStep:
        """The technician is about to present the sample: the next reading counts."""
        step = self.current
        if step is None:
            raise ValueError("the check is complete")
        step.state = "waiting"
        return step

    def offer(self, message: dict[str, Any]) -> bool:
        """A reading from the device; True if it completed a waiting step."""
        step = self.current
        if step is None or step.state != "waiting" or message["device_id"] != self.device_id:
            return False
        why = step.accepts(message["data"])
        if why is not None:
            step.pass_over(message, why)
            return False
        step.passed, step.detail = step.judge(message["data"])
        step.reading, step.state = message, "done"
        return True

    def as_dict(self) -> dict[str, Any]:
        current = self.current
        return {"id": self.id, "kind": self.kind, "device_id": self.device_id, "params": self.params,
                "started_by": self.started_by, "started_at": self.started_at,
                "steps": [s.as_dict() for s in self.steps], "complete": self.complete, "passed": self.passed,
                "current": None if current is None else self.steps.index(current)}


def etd_daily_check(device_id: str, trap_lot: str, substance: str, by: str, at: str) -> DeviceCheck:
    return DeviceCheck(device_id, ETD_DAILY, {"trap_lot": trap_lot, "expected_substance": substance}, [
        CheckStep("trap", f"Run the verification trap (lot {trap_lot}) in the detector's verification mode: "
                  f"it must alarm on {substance}.", trap_judge(substance, trap_lot), verification_only),
        CheckStep("blank", "Run a blank (a clean swab) in the detector's verification mode: it must come out clear.",
                  blank_judge, verification_only),
    ], by, at)


def reader_check(device_id: str, kind: str, expected: str, by: str, at: str) -> DeviceCheck:
    what = "specimen document" if kind == "document" else "reference label"
    target = "document number" if kind == "document" else "text"
    return DeviceCheck(device_id, READER_FUNCTIONAL, {"expected": expected}, [
        CheckStep("scan", f"Scan the {what}: its {target} must read {expected}.", scan_judge(kind, expected)),
    ], by, at)
