"""The regula-web simulator against the Regula Document Reader Web API's OpenAPI description
(regulaforensics/DocumentReader-web-openapi at 7dda8ba): every answer it serves over HTTP has what the
schemas require, with their enums — so the driver is tested against the documented shapes, not our own."""

from __future__ import annotations

import json

import pytest
import requests

from drivers.simulators.regula_web import CASES, HttpPort, RegulaWebSimulator

# the `required` lists, copied from the schemas named
HEALTHCHECK = {"app", "licenseId", "licenseType", "licenseSerial", "licenseValidUntil", "scenarios", "version"}
PROCESS_RESPONSE = {"ChipPage", "ProcessingFinished", "ContainerList", "TransactionInfo", "morePagesAvailable",
                    "elapsedTime"}  # p-process.yml
STATUS = {"overallStatus", "optical", "portrait", "rfid", "stopList", "detailsOptical", "age", "detailsAge", "mDL"}
DETAILS_OPTICAL = {"overallStatus", "docType", "expiry", "imageQA", "mrz", "pagesCount", "security", "text"}
DETAILS_RFID = {"overallStatus", "AA", "BAC", "CA", "PA", "PACE", "TA"}  # rt-status.yml
TEXT = {"status", "validityStatus", "comparisonStatus", "dateFormat", "fieldList", "availableSourceList"}
TEXT_FIELD = {"fieldType", "fieldName", "lcid", "status", "validityStatus", "comparisonStatus", "value", "valueList",
              "validityList", "comparisonList"}
TEXT_FIELD_VALUE = {"value", "pageIndex", "source", "originalValidity", "probability"}  # rt-text.yml
AUTHENTICITY_CHECK = {"Type", "Result", "List"}  # rt-authenticity.yml
SOURCES = {"MRZ", "VISUAL", "BARCODE", "RFID", "MAGNETIC", "EXTERNAL", "LIVE", "FINGERPRINT"}  # common.yml Source
CHECK_RESULTS = {0, 1, 2}  # common.yml CheckResult


@pytest.fixture
def service(stop_later):
    sim = RegulaWebSimulator()
    port = HttpPort(sim).start()
    stop_later.append(port)
    return sim, port


def get(port: HttpPort, path: str) -> dict:
    answer = requests.get(port.path + path, timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    return answer.json()


def checks(table: dict, keys: set[str]) -> None:
    assert keys <= set(table)
    for key in keys - {"pagesCount", "detailsOptical", "detailsAge", "detailsRFID"}:
        assert table[key] in CHECK_RESULTS, key


def test_the_health_answer_has_what_healthcheck_requires(service) -> None:
    assert HEALTHCHECK <= set(get(service[1], "/api/healthz"))


@pytest.mark.parametrize("case", CASES)
def test_a_document_s_results_have_what_process_response_requires(service, case) -> None:
    sim, port = service
    transaction = sim.present(case, "doc-1")
    listing = get(port, "/api/v2/tag/doc-1/transactions")
    assert [item["id"] for item in listing["items"]] == [transaction]
    assert set(listing["items"][0]) == {"id", "state", "updatedAt"}  # GetTransactionsByTagResponse
    answer = get(port, f"/api/v2/transaction/{transaction}/results")
    assert PROCESS_RESPONSE <= set(answer) and answer["ProcessingFinished"] in {0, 1, 2}
    items = answer["ContainerList"]["List"]
    assert answer["ContainerList"]["Count"] == len(items) and all("result_type" in item for item in items)
    by_type = {item["result_type"]: item for item in items}
    status = by_type[33]["Status"]
    checks(status, STATUS)
    checks(status["detailsOptical"], DETAILS_OPTICAL - {"pagesCount"})
    checks(status["detailsRFID"], DETAILS_RFID)
    text = by_type[36]["Text"]
    checks(text, {"status", "validityStatus", "comparisonStatus"})
    assert TEXT <= set(text)
    for field in text["fieldList"]:
        assert TEXT_FIELD <= set(field)
        assert all(TEXT_FIELD_VALUE <= set(value) and value["source"] in SOURCES for value in field["valueList"])
        assert all(c["sourceLeft"] in SOURCES and c["sourceRight"] in SOURCES and c["status"] in CHECK_RESULTS
                   for c in field["comparisonList"])
    for check in by_type[20]["AuthenticityCheckList"]["List"]:
        assert AUTHENTICITY_CHECK <= set(check) and check["Result"] in CHECK_RESULTS


def test_the_tag_separates_lanes_and_an_untagged_document_shows_under_every_tag(service) -> None:
    sim, port = service
    mine, everyone = sim.present("ok", "doc-1"), sim.present("ok")
    sim.present("ok", "doc-2")
    assert [i["id"] for i in get(port, "/api/v2/tag/doc-1/transactions")["items"]] == [mine, everyone]


def test_unknown_routes_and_transactions_are_404(service) -> None:
    _, port = service
    for path in ("/api/process", "/api/v2/transaction/dc5eb444-ad6e-4ebc-8102-d62d5bb56a4e/results"):
        answer = requests.get(port.path + path, timeout=5)
        assert answer.status_code == 404 and json.loads(answer.content)
