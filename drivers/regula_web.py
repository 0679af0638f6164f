"""``regula-web``: a full-page document reader behind its local REST service (Regula's Document Reader Web API).

The reader station reads a document — MRZ, visual zone, chip, authenticity
under UV and IR — and its service keeps each as a transaction under a tag;
the station tags them with the lane device's id. The driver's port is the
service, ``http://HOST:PORT`` (:mod:`drivers.port_rules`), and it:

1. asks ``GET /api/healthz`` who the service is (its identity; an answer
   that is not a health answer puts the device in ``error``);
2. lists ``GET /api/v2/tag/{device id}/transactions`` and takes what is
   listed then as already seen: documents read while the lane was not
   looking are not shown late, as a serial reader's are not;
3. polls that list, and for each new transaction fetches
   ``GET /api/v2/transaction/{id}/results`` and emits it as a document
   reading (:func:`drivers.regula_results.document_reading`) whose raw frame
   is the answer's bytes, exactly as received.

Every exchange is bounded (:mod:`drivers.regula_http`). An unreachable
service makes the device ``disconnected`` and is retried with capped
backoff, like an unplugged serial port; on reconnection the list is taken
afresh (step 2). An answer the lane does not take is dropped and counted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from drivers.base import CONNECTED, DISCONNECTED, ERROR, SerialDriver
from drivers.regula_http import BadAnswer, ServiceClient, ServiceDown
from drivers.regula_results import AnswerError, document_reading, identity, processing_finished, transaction_ids

HEALTH_PATH = "/api/healthz"
HEALTH_LIMIT = 64 * 1024
LIST_LIMIT = 256 * 1024
RESULTS_LIMIT = 1024 * 1024
"""Bytes an answer may have: a document's results without images are tens of kilobytes."""
POLL_INTERVAL_S = 0.5
UNFINISHED_POLLS = 20
"""Polls a transaction may stay "processing" before it is given up (and counted as a drop)."""


class RegulaWebReader(SerialDriver):
    """A document reader reached over HTTP; the lifecycle, counters and drops of :class:`SerialDriver`."""

    kind = "document"
    name = "regula-web"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._list_path = f"/api/v2/tag/{quote(self.device_id, safe='')}/transactions"
        self._seen: set[str] = set()
        self._unfinished: dict[str, int] = {}

    # SerialDriver's reader thread opens a serial port; this device is a service, so its loop is its own.
    def _run(self) -> None:
        delay = self.backoff_initial
        while not self._stop.is_set():
            try:
                client = ServiceClient(self.port, self._traffic)
            except ValueError as exc:  # a port the rules refuse: said once, retried like any open failure
                self.set_state(DISCONNECTED, f"cannot open {self.port}: {exc}")
            else:
                try:
                    if self._serve(client):
                        delay = self.backoff_initial
                finally:
                    client.close()
            self._stop.wait(delay)
            delay = min(delay * 2, self.backoff_max)
        self.set_state(DISCONNECTED, "stopped")

    def _serve(self, client: ServiceClient) -> bool:
        """One session with the service until it goes away; True if it got to ``connected``."""
        try:
            health, _ = client.get_json(HEALTH_PATH, HEALTH_LIMIT)
            self.identity = identity(health)
            listed, _ = client.get_json(self._list_path, LIST_LIMIT)
            self._seen, self._unfinished = set(transaction_ids(listed)), {}
        except ServiceDown as exc:
            self._went_away(exc)
            return False
        except (BadAnswer, AnswerError) as exc:
            self.set_state(ERROR, f"{self.port} is not a Document Reader service as documented: {exc}")
            return False
        if self._ever_connected:
            self.counters.reconnects += 1
        self._ever_connected = True
        self.set_state(CONNECTED, self.port)
        while not self._stop.wait(POLL_INTERVAL_S):
            self.drop_log.flush()
            try:
                self._poll(client)
            except ServiceDown as exc:
                self._went_away(exc)
                break
        return True

    def _poll(self, client: ServiceClient) -> None:
        try:
            listed, _ = client.get_json(self._list_path, LIST_LIMIT)
            new = [t for t in transaction_ids(listed) if t not in self._seen]
        except (BadAnswer, AnswerError) as exc:
            self.drop(f"transaction list: {exc}", b"")
            return
        for transaction in new:
            self._fetch(client, transaction)

    def _fetch(self, client: ServiceClient, transaction: str) -> None:
        """Emit one transaction's document, or leave it for the next poll while the reader is still at it."""
        raw = b""
        try:
            answer, raw = client.get_json(f"/api/v2/transaction/{transaction}/results", RESULTS_LIMIT)
            if not processing_finished(answer):
                polls = self._unfinished.get(transaction, 0) + 1
                if polls < UNFINISHED_POLLS:
                    self._unfinished[transaction] = polls
                    return
                raise AnswerError("the document was never processed")
            data = document_reading(answer)
        except (BadAnswer, AnswerError) as exc:
            self._forget(transaction)
            self.drop(f"results: {exc}", raw)
            return
        self._forget(transaction)
        self.emit_reading(data, raw)

    def _forget(self, transaction: str) -> None:
        self._seen.add(transaction)
        self._unfinished.pop(transaction, None)

    def _went_away(self, exc: ServiceDown) -> None:
        self.counters.last_error = str(exc)
        self.set_state(DISCONNECTED, f"{self.port} went away: {exc}")

    def _traffic(self, direction: str, data: bytes) -> None:
        if direction == "in":
            self.counters.bytes_in += len(data)
        else:
            self.counters.bytes_out += len(data)
        self._tap(direction, data)
