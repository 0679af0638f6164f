"""A full-page document reader's local REST service, as Regula's Document Reader Web API documents it.

It serves, over real HTTP on 127.0.0.1 (:class:`HttpPort`), the three routes
the ``regula-web`` driver uses (docs/protocols.md section 10):
``GET /api/healthz``, ``GET /api/v2/tag/{tag}/transactions`` and
``GET /api/v2/transaction/{id}/results``. A document laid on the reader
(:meth:`RegulaWebSimulator.present`) becomes a transaction whose results are
a ``ProcessResponse`` built to the published schema (:func:`process_response`):
a document whose checks all pass, a visual zone that disagrees with the MRZ,
a chip that fails verification, a failed authenticity check. Faults a real
service can show are there too: garbage and oversized answers, a redirect,
an answer dripped a byte at a time, a service that is down (``unplug``).
"""

from __future__ import annotations

import copy
import json
import random
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from drivers.simulators.device import DeviceSimulator
from drivers.simulators.mrz_reader import ICAO_SPECIMENS

HEALTH = {"app": "Regula Document Reader Web API", "licenseId": "4D43A2AF-E321-496C-9A4E-5A8F3D26DF0E",
          "licenseType": "Transactional", "licenseSerial": "OL70786", "licenseValidUntil": "9999-12-31T23:59:59Z",
          "scenarios": ["Mrz", "Barcode", "Locate"], "version": "7.5.297907.1721",
          "documentsDatabase": {"id": "FullAuth", "version": "800111", "exportDate": "2024-11-11",
                                "description": "FullAuth: All documents"}}
"""The Healthcheck example published in the API's p-healthcheck.yml."""
TRANSACTION_INFO = {"ComputerName": "7cded6852d20", "DateTime": "2020-05-27T08:17:03.247Z",
                    "TransactionID": "dc5eb444-ad6e-4ebc-8102-d62d5bb56a4e", "UserName": "user"}
"""The TransactionInfo example published in the API's p-process.yml."""
CASES = ("ok", "mrz_visual_mismatch", "chip_failure", "authenticity_failure")
"""The documents the simulator can present, by what their reading should show."""
TD3_FIELDS = {2: "L898902C3", 8: "ERIKSSON", 9: "ANNA MARIA", 5: "1974-08-12", 3: "2012-04-15", 11: "UTO"}
"""The ICAO 9303 part 4 specimen passport's fields (its MRZ is ICAO_SPECIMENS[0]) by TextFieldType."""
OK, FAILED, NOT_DONE = 1, 0, 2


def _text_field(field_type: int, values: dict[str, str], comparisons: list[tuple[str, str, int]]) -> dict[str, Any]:
    """One ``TextField`` (rt-text.yml) with its value from each source and the reader's comparisons."""
    compared = [status for _, _, status in comparisons]
    worst = FAILED if FAILED in compared else OK if compared else NOT_DONE
    return {"fieldType": field_type, "fieldName": f"field {field_type}", "lcid": 0, "status": worst,
            "validityStatus": OK, "comparisonStatus": worst, "value": next(iter(values.values())),
            "valueList": [{"source": source, "value": value, "originalValidity": OK, "pageIndex": 0,
                           "probability": 99} for source, value in values.items()],
            "validityList": [{"source": source, "status": OK} for source in values],
            "comparisonList": [{"sourceLeft": left, "sourceRight": right, "status": status}
                               for left, right, status in comparisons]}


def process_response(case: str = "ok", lines: tuple[str, ...] = ICAO_SPECIMENS[0]) -> dict[str, Any]:
    """A finished ``ProcessResponse`` (p-process.yml) for the specimen passport read as ``case`` (:data:`CASES`)."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r} (known: {', '.join(CASES)})")
    mismatch, chip_fails, forged = (case == "mrz_visual_mismatch", case == "chip_failure",
                                    case == "authenticity_failure")
    fields = [_text_field(51, {"MRZ": "^".join(lines)}, [])]
    for field_type, value in TD3_FIELDS.items():
        visual = "L898902C8" if mismatch and field_type == 2 else value
        fields.append(_text_field(field_type, {"MRZ": value, "VISUAL": visual, "RFID": value},
                                  [("MRZ", "VISUAL", FAILED if visual != value else OK), ("MRZ", "RFID", OK)]))
    rfid = FAILED if chip_fails else OK
    security = FAILED if forged else OK
    status = {"overallStatus": FAILED if case != "ok" else OK, "optical": FAILED if mismatch or forged else OK,
              "portrait": NOT_DONE, "rfid": rfid, "stopList": NOT_DONE, "age": NOT_DONE, "mDL": NOT_DONE,
              "detailsAge": {"threshold": 0, "overThreshold": NOT_DONE, "over18": NOT_DONE, "over21": NOT_DONE,
                             "over25": NOT_DONE, "over65": NOT_DONE},
              "detailsRFID": {"overallStatus": rfid, "PA": rfid, "AA": OK, "BAC": OK, "CA": NOT_DONE,
                              "PACE": NOT_DONE, "TA": NOT_DONE},
              "detailsOptical": {"overallStatus": FAILED if mismatch or forged else OK, "docType": OK, "expiry": OK,
                                 "imageQA": OK, "mrz": OK, "pagesCount": 1, "security": security,
                                 "text": FAILED if mismatch else OK}}
    checks = [{"Type": 1, "Result": security, "Count": 1,
               "List": [{"Type": 1, "ElementResult": security, "ElementDiagnose": 0}]},
              {"Type": 2, "Result": OK, "Count": 1, "List": [{"Type": 2, "ElementResult": OK, "ElementDiagnose": 0}]}]
    text = {"status": FAILED if mismatch else OK, "validityStatus": OK, "comparisonStatus": FAILED if mismatch else OK,
            "dateFormat": "yyyy-MM-dd", "fieldList": fields,
            "availableSourceList": [{"source": s, "validityStatus": OK} for s in ("MRZ", "VISUAL", "RFID")]}
    items = [{"result_type": 36, "light": 6, "list_idx": 0, "page_idx": 0, "buf_length": 0, "Text": text},
             {"result_type": 33, "light": 0, "list_idx": 0, "page_idx": 0, "buf_length": 0, "Status": status},
             {"result_type": 20, "light": 0, "list_idx": 0, "page_idx": 0, "buf_length": 0,
              "AuthenticityCheckList": {"Count": len(checks), "List": checks}}]
    return {"ChipPage": 1, "CoreLibResultCode": 0, "ProcessingFinished": 1, "morePagesAvailable": 0,
            "elapsedTime": 1234, "ContainerList": {"Count": len(items), "List": items},
            "TransactionInfo": dict(TRANSACTION_INFO, TransactionID=str(uuid.uuid4()))}


class RegulaWebSimulator(DeviceSimulator):
    """The reader's service: transactions (documents read) by tag, and how it answers (see the module)."""

    kind = "document"
    driver = "regula-web"

    def __init__(self) -> None:
        super().__init__()
        self._transactions: list[dict[str, Any]] = []
        self.requests: list[str] = []
        """Every request line's path, in order: what the driver asked for."""
        self.fault: str | None = None
        """``None``, ``"redirect"`` (every answer is a 302 to :attr:`redirect_to`), ``"status"`` (500),
        ``"garbage"`` (every answer is not JSON) or ``"slow"`` (each answer dripped a byte at a time)."""
        self.redirect_to = "http://127.0.0.1:9/"
        self.health: Any = copy.deepcopy(HEALTH)

    def present(self, case: str = "ok", tag: str | None = None, *, lines: tuple[str, ...] = ICAO_SPECIMENS[0],
                unfinished: int = 0) -> str:
        """A document laid on the reader and read as ``case``; returns its transaction id. ``tag`` None shows it
        under every tag; ``unfinished`` results requests see it still processing."""
        return self.present_answer(process_response(case, lines), tag, unfinished=unfinished)

    def present_answer(self, answer: Any, tag: str | None = None, *, transaction: str | None = None,
                       unfinished: int = 0) -> str:
        """A transaction whose results are ``answer`` (JSON-able, or bytes sent as they are)."""
        transaction = transaction or str(uuid.uuid4())
        with self.lock:
            self._transactions.append({"id": transaction, "tag": tag, "answer": answer, "unfinished": unfinished,
                                       "updatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        return transaction

    def answer(self, path: str) -> tuple[int, bytes]:
        """The status and body the service answers to ``GET path``."""
        with self.lock:
            self.requests.append(path)
            parts = [unquote(part) for part in urlsplit(path).path.split("/")]
            if parts[1:] == ["api", "healthz"]:
                return 200, _json(self.health)
            if len(parts) == 6 and parts[1:4] == ["api", "v2", "tag"] and parts[5] == "transactions":
                items = [{"id": t["id"], "state": 1, "updatedAt": t["updatedAt"]} for t in self._transactions
                         if t["tag"] in (None, parts[4])]
                return 200, _json({"items": items, "metadata": {}})
            if len(parts) == 6 and parts[1:4] == ["api", "v2", "transaction"] and parts[5] == "results":
                return self._results(parts[4])
        return 404, b'{"error": "not found"}'

    def _results(self, transaction: str) -> tuple[int, bytes]:
        found = next((t for t in self._transactions if t["id"] == transaction), None)
        if found is None:
            return 404, b'{"error": "no such transaction"}'
        if found["unfinished"] > 0:
            found["unfinished"] -= 1
            return 200, _json(dict(process_response(), ProcessingFinished=0))
        answer = found["answer"]
        return 200, answer if isinstance(answer, bytes) else _json(answer)

    def run_demo(self, stop: threading.Event, rng: random.Random, pace: float = 1.0) -> None:
        """A document now and then, most of them in order, some failing a check."""
        while not stop.wait(rng.uniform(8, 15) * pace):
            self.present("ok" if rng.random() < 0.7 else rng.choice(CASES[1:]))


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


class HttpPort:
    """The simulator's service on 127.0.0.1 (``http://127.0.0.1:PORT``): started, unplugged (the service goes
    down: connections are refused) and plugged back in on the same port."""

    def __init__(self, device: RegulaWebSimulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.device, self.host, self.port = device, host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.connections: set[socket.socket] = set()
        """The clients' open (kept-alive) connections, cut when the service goes down."""

    @property
    def path(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> "HttpPort":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> "HttpPort":
        server = ThreadingHTTPServer((self.host, self.port), _handler(self.device, self.connections))
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="regula-web-sim", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # the client has gone already
                pass
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None

    unplug = close

    def replug(self) -> None:
        self.close()
        self.start()


def _handler(device: RegulaWebSimulator, connections: set[socket.socket]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            connections.add(self.connection)

        def finish(self) -> None:
            connections.discard(self.connection)
            super().finish()

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            status, body = device.answer(self.path)
            fault = device.fault
            if fault == "redirect":
                self.send_response(302)
                self.send_header("Location", device.redirect_to + self.path.lstrip("/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault == "status":
                status, body = 500, b'{"error": "internal"}'
            elif fault == "garbage":
                body = bytes(random.getrandbits(8) for _ in range(256))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if fault == "slow":
                try:
                    for index in range(len(body)):
                        self.wfile.write(body[index:index + 1])
                        self.wfile.flush()
                        time.sleep(0.05)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up on the drip, as it should: nothing to report
            else:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            """Quiet: the requests are in ``device.requests``."""

    return Handler
