"""The regula-web driver: the answer parser with the API's published examples and the simulator's documents
(fuzzed with hypothesis), then the driver against its simulator over real HTTP on 127.0.0.1 — readings, a
service that is down, and each bound on what the service may make the lane do."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.regula_results import AnswerError, document_reading, identity, transaction_ids
from drivers.regula_web import RESULTS_LIMIT, RegulaWebReader
from drivers.simulators.mrz_reader import ICAO_SPECIMENS
from drivers.simulators.regula_web import HEALTH, HttpPort, RegulaWebSimulator, process_response
from drivers.validation.mrz import parse_mrz
from tests.support.drivers import reading_where
from tests.support.waiting import Recorder, wait_for

TD3 = list(ICAO_SPECIMENS[0])


# ---------------------------------------------------------------- the answer parser

def test_the_published_health_example_names_the_service() -> None:
    # p-healthcheck.yml's example (Regula DocumentReader-web-openapi)
    assert identity(HEALTH) == {"model": "Regula Document Reader Web API", "software": "7.5.297907.1721",
                                "database": "FullAuth 800111"}


def test_a_document_whose_checks_pass_reads_as_the_mrz_reader_reads_it() -> None:
    data = document_reading(process_response("ok"))
    assert data["mrz"] == parse_mrz(TD3)
    assert data["mrz"]["valid"] and data["mrz"]["document_number"] == "L898902C3"
    assert data["verification"] == {
        "overall": "ok",
        "mrz_visual": {"status": "ok", "mismatches": []},
        "chip": {"status": "ok", "checks": {"pa": "ok", "aa": "ok", "ca": "not_done", "ta": "not_done",
                                            "bac": "ok", "pace": "not_done"},
                 "mrz_match": {"status": "ok", "mismatches": []}},
        "authenticity": {"status": "ok", "checks": {"uv_luminescence": "ok", "ir_b900": "ok"}, "failed": []}}


def test_a_visual_zone_that_disagrees_with_the_mrz_is_recorded_field_by_field() -> None:
    data = document_reading(process_response("mrz_visual_mismatch"))
    assert data["verification"]["overall"] == "failed"
    assert data["verification"]["mrz_visual"] == {
        "status": "failed", "mismatches": [{"field": "document_number", "mrz": "L898902C3", "visual": "L898902C8"}]}
    assert data["mrz"]["valid"]  # the MRZ itself still checks: the disagreement is the finding


def test_a_chip_that_fails_verification_and_a_failed_authenticity_check_are_recorded() -> None:
    chip = document_reading(process_response("chip_failure"))["verification"]
    assert chip["chip"]["status"] == "failed" and chip["chip"]["checks"]["pa"] == "failed"
    forged = document_reading(process_response("authenticity_failure"))["verification"]
    assert forged["authenticity"] == {"status": "failed", "checks": {"uv_luminescence": "failed", "ir_b900": "ok"},
                                      "failed": ["uv_luminescence"]}


def test_mrz_lines_parted_by_line_ends_read_the_same() -> None:
    answer = process_response("ok")
    answer["ContainerList"]["List"][0]["Text"]["fieldList"][0]["valueList"][0]["value"] = "\n".join(TD3)
    assert document_reading(answer)["mrz"] == parse_mrz(TD3)


def test_an_answer_without_status_or_authenticity_results_says_the_checks_were_not_done() -> None:
    answer = process_response("ok")
    answer["ContainerList"]["List"] = answer["ContainerList"]["List"][:1]
    verification = document_reading(answer)["verification"]
    assert verification["overall"] == "not_done" and verification["chip"]["status"] == "not_done"
    assert verification["authenticity"] == {"status": "not_done", "checks": {}, "failed": []}


@pytest.mark.parametrize("spoil,reason", [
    (lambda a: a.update(ProcessingFinished=0), "not processed yet"),
    (lambda a: a["ContainerList"].update(List="x"), "container list"),
    (lambda a: a["ContainerList"]["List"].pop(0), "no text result"),
    (lambda a: a["ContainerList"]["List"][0]["Text"]["fieldList"].pop(0), "no MRZ"),
    (lambda a: a["ContainerList"]["List"][1]["Status"].update(rfid=7), "check result"),
    (lambda a: a["ContainerList"]["List"][1]["Status"].update(rfid=True), "check result"),
    (lambda a: a["ContainerList"]["List"][0]["Text"]["fieldList"][1]["valueList"][0].update(value="A" * 201),
     "printable text"),
    (lambda a: a["ContainerList"]["List"][0]["Text"]["fieldList"][1]["valueList"][0].update(value="A\x00B"),
     "printable text"),
])
def test_an_answer_of_another_shape_is_refused_with_a_fixed_reason(spoil, reason) -> None:
    answer = process_response("mrz_visual_mismatch")
    spoil(answer)
    with pytest.raises(AnswerError, match=reason) as refused:
        document_reading(answer)
    assert "L898902C" not in str(refused.value)


def test_a_transaction_id_must_be_a_uuid() -> None:
    assert transaction_ids({"items": [{"id": "DC5EB444-AD6E-4EBC-8102-D62D5BB56A4E"}]}) == [
        "dc5eb444-ad6e-4ebc-8102-d62d5bb56a4e"]
    for bad in ("../healthz", "dc5eb444-ad6e-4ebc-8102-d62d5bb56a4e/../../x", 7, None):
        with pytest.raises(AnswerError, match="not a UUID"):
            transaction_ids({"items": [{"id": bad}]})


SCALARS = st.none() | st.booleans() | st.integers(-3, 60) | st.floats(allow_nan=False) | st.text(max_size=30)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=20), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_is_a_reading_or_a_refusal(value) -> None:
    for parse in (document_reading, transaction_ids, identity):
        try:
            parse(value)
        except AnswerError:
            pass


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))
    yield prefix


PATHS = list(_paths(process_response("mrz_visual_mismatch")))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS[:-1]), JSON)
def test_a_documented_answer_with_any_part_replaced_is_a_reading_or_a_refusal(path, replacement) -> None:
    answer = copy.deepcopy(process_response("mrz_visual_mismatch"))
    target = answer
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    try:
        data = document_reading(answer)
    except AnswerError:
        return
    assert set(data) == {"mrz", "verification", "transaction_id"}
    json.dumps(data)


# ---------------------------------------------------------------- the driver over real HTTP

@pytest.fixture
def service(stop_later):
    sim = RegulaWebSimulator()
    port = HttpPort(sim).start()
    stop_later.append(port)
    return sim, port


def reader_on(port_url: str, stop_later, device_id: str = "doc-1") -> tuple[RegulaWebReader, Recorder]:
    recorder = Recorder()
    driver = RegulaWebReader(port_url, None, recorder.on_reading, recorder.on_status, device_id=device_id)
    stop_later.append(driver)
    driver.start()
    return driver, recorder


def connected(service, stop_later) -> tuple[RegulaWebReader, Recorder]:
    driver, recorder = reader_on(service[1].path, stop_later)
    wait_for(lambda: driver.state == "connected", message="the reader connected")
    return driver, recorder


def test_each_document_read_becomes_one_reading_with_the_answer_as_its_raw_frame(service, stop_later) -> None:
    sim, _ = service
    sim.present("ok", "doc-1")  # read before the lane looked: not shown late
    driver, recorder = connected(service, stop_later)
    assert driver.identity["model"] == "Regula Document Reader Web API"
    sim.present("chip_failure", "another-lane-device")
    transaction = sim.present("mrz_visual_mismatch", "doc-1", unfinished=2)
    data = reading_where(recorder, lambda d: True, "the mismatched document")
    assert data["verification"]["mrz_visual"]["status"] == "failed"
    assert len(recorder.data()) == 1
    raw = recorder.readings[0][1]
    assert json.loads(raw)["ContainerList"] == process_response("mrz_visual_mismatch")["ContainerList"]
    assert sim.requests.count(f"/api/v2/transaction/{transaction}/results") == 3
    assert driver.counters.frames == 1 and driver.counters.drops == 0


def test_a_reader_that_is_down_is_disconnected_and_comes_back(service, stop_later) -> None:
    sim, port = service
    driver, recorder = connected(service, stop_later)
    port.unplug()
    wait_for(lambda: driver.state == "disconnected", message="disconnected")
    assert "went away" in driver.state_detail
    port.replug()
    wait_for(lambda: driver.state == "connected", message="connected again")
    assert driver.counters.reconnects == 1
    sim.present("authenticity_failure", "doc-1")
    data = reading_where(recorder, lambda d: True, "a document after the reconnection")
    assert data["verification"]["authenticity"]["failed"] == ["uv_luminescence"]


def test_a_reader_down_from_the_start_says_so_and_connects_when_it_comes(stop_later) -> None:
    sim = RegulaWebSimulator()
    port = HttpPort(sim).start()
    url = port.path
    port.close()
    driver, _ = reader_on(url, stop_later)
    wait_for(lambda: "went away" in driver.state_detail, message="the reason it is disconnected")
    assert driver.state == "disconnected"
    stop_later.append(HttpPort(sim, port=port.port).start())
    wait_for(lambda: driver.state == "connected", message="connected once the service is up")


def test_a_service_that_is_not_a_document_reader_is_an_error(service, stop_later) -> None:
    sim, port = service
    sim.health = {"status": "ok"}
    driver, _ = reader_on(port.path, stop_later)
    wait_for(lambda: driver.state == "error", message="error")
    assert "not a Document Reader service" in driver.state_detail


@pytest.mark.parametrize("answer,reason", [
    (b"\x00\xff garbage \x13", "results: the answer is not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "results: the answer is not JSON"),
    ({"ProcessingFinished": 1, "ContainerList": {"List": [{"result_type": 36, "Text": {"fieldList": []}}]}},
     "results: no MRZ in the answer"),
])
def test_garbage_is_dropped_counted_and_the_reader_goes_on(service, stop_later, answer, reason) -> None:
    sim, _ = service
    driver, recorder = connected(service, stop_later)
    sim.present_answer(answer, "doc-1")
    wait_for(lambda: driver.counters.drops == 1, message="the drop")
    assert driver.counters.drop_reasons == {reason: 1}
    sim.present("ok", "doc-1")
    reading_where(recorder, lambda d: d["verification"]["overall"] == "ok", "the next document")
    assert driver.state == "connected"


def test_an_answer_over_the_limit_is_dropped_without_being_read_whole(service, stop_later) -> None:
    sim, _ = service
    driver, recorder = connected(service, stop_later)
    padded = json.dumps(process_response("ok")).encode() + b" " * RESULTS_LIMIT  # valid JSON, too large
    sim.present_answer(padded, "doc-1")
    wait_for(lambda: driver.counters.drops == 1, message="the drop")
    assert driver.counters.drop_reasons == {"results: an answer too large": 1}
    assert recorder.data() == []


def test_an_answer_longer_than_it_declares_is_still_bounded(stop_later) -> None:
    sim = RegulaWebSimulator()

    class Liar(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802
            status, body = sim.answer(self.path)
            self.send_response(status)
            self.end_headers()  # no Content-Length: the body runs until the connection closes
            self.wfile.write(body if "results" not in self.path else body + b" " * (2 * RESULTS_LIMIT))

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Liar)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop_later.append(type("Stop", (), {"stop": lambda self: (server.shutdown(), server.server_close())})())
    driver, recorder = reader_on(f"http://127.0.0.1:{server.server_address[1]}", stop_later)
    wait_for(lambda: driver.state == "connected", message="connected")
    sim.present("ok", "doc-1")
    wait_for(lambda: driver.counters.drops == 1, message="the drop")
    assert driver.counters.drop_reasons == {"results: an answer too large": 1}
    assert driver.counters.bytes_in < RESULTS_LIMIT


def test_a_redirect_is_not_followed(service, stop_later) -> None:
    sim, _ = service
    elsewhere = RegulaWebSimulator()
    elsewhere_port = HttpPort(elsewhere).start()
    stop_later.append(elsewhere_port)
    sim.redirect_to = elsewhere_port.path + "/"
    driver, _ = connected(service, stop_later)
    sim.fault = "redirect"
    wait_for(lambda: driver.counters.drops >= 1, message="the refused redirect")
    assert "transaction list: a redirect, not followed" in driver.counters.drop_reasons
    assert elsewhere.requests == []


def test_the_environment_s_proxy_is_not_used(service, stop_later, monkeypatch) -> None:
    proxy = RegulaWebSimulator()
    proxy_port = HttpPort(proxy).start()
    stop_later.append(proxy_port)
    monkeypatch.setenv("HTTP_PROXY", proxy_port.path)
    monkeypatch.setenv("http_proxy", proxy_port.path)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    sim, _ = service
    connected(service, stop_later)
    assert sim.requests and proxy.requests == []


def test_a_service_dripping_its_answer_is_given_up_at_the_deadline(service, stop_later, monkeypatch) -> None:
    monkeypatch.setattr("drivers.regula_http.ANSWER_DEADLINE_S", 1.0)
    sim, _ = service
    driver, _ = connected(service, stop_later)
    sim.fault = "slow"  # a byte every 50 ms: each read is quick, the whole answer is not
    wait_for(lambda: driver.state == "disconnected", timeout=6, message="given up")
    assert "took too long" in driver.state_detail


def test_a_compressed_answer_is_refused(stop_later) -> None:
    sim = RegulaWebSimulator()

    class Gzip(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            status, body = sim.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            if "transactions" in self.path:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gzip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop_later.append(type("Stop", (), {"stop": lambda self: (server.shutdown(), server.server_close())})())
    driver, _ = reader_on(f"http://127.0.0.1:{server.server_address[1]}", stop_later)
    wait_for(lambda: driver.state == "error", message="error")
    assert "a compressed answer" in driver.state_detail


def test_a_transaction_id_that_is_a_path_is_never_requested(service, stop_later) -> None:
    sim, _ = service
    driver, recorder = connected(service, stop_later)
    sim.present_answer(process_response("ok"), "doc-1", transaction="../../healthz")
    wait_for(lambda: driver.counters.drops >= 1, message="the drop")
    assert "transaction list: a transaction id is not a UUID" in driver.counters.drop_reasons
    assert not any("healthz" in path and "transaction" in path for path in sim.requests)
    assert recorder.data() == []


def test_the_tag_is_the_device_id_quoted(service, stop_later) -> None:
    sim, _ = service
    driver, _ = reader_on(service[1].path, stop_later, device_id="doc-1 (test)")
    wait_for(lambda: driver.state == "connected", message="connected")
    assert "/api/v2/tag/doc-1%20%28test%29/transactions" in sim.requests
