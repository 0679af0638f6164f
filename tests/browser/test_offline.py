"""The Wi-Fi drops at the far end of the lane mid-inspection: findings
wait on the tablet (one of them even reached the box, but its answer was
lost), the app still opens after a reload with no network and shows what
waits, and when the network is back each finding is stored once, in order."""

from __future__ import annotations

import hashlib
import uuid

from playwright.sync_api import BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tests.support.browser import photo_bytes, shoot, wait_for_service_worker
from tests.support.lane_process import LaneRig
from tests.support.waiting import wait_for


def record_finding(page: Page, note: str) -> None:
    page.select_option("#finding-form select", "goods")
    page.fill("#finding-form textarea", note)
    page.click("#finding-form button[type=submit]")
    expect(page.locator("#finding-form textarea")).to_have_value("")


def test_network_cut_mid_inspection_then_replayed_once_in_order(page: Page, context: BrowserContext,
                                                                lane: LaneRig) -> None:
    inspection_id = str(uuid.uuid4())
    assert lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "WGM 4823K", "containers": ["MSCU4829130"], "declaration_ref": "GB-DEC-0002",
        "inspection_type": "standard"}).status_code == 201
    page.goto(f"/#/inspections/{inspection_id}")
    expect(page.locator("#declaration")).to_contain_text("GB-DEC-0002")  # seen once: a copy is kept
    wait_for_service_worker(page)

    # 1. the first finding reaches the box, but its answer is lost on the way back
    lost: list[str] = []

    def answer_lost(route: Route) -> None:
        route.fetch()  # the box stores it...
        lost.append(route.request.post_data_json["id"])
        try:
            route.abort("internetdisconnected")  # ...the tablet never hears
        except PlaywrightError as exc:  # the app gave up on it first (its own timeout): unheard all the same
            if "already handled" not in str(exc):
                raise

    context.route("**/api/v1/inspections/*/findings", answer_lost)
    record_finding(page, "First: 12 pallets of tyres, not 10 as declared")
    expect(page.locator("#outbox-mark")).to_contain_text("1 waiting")
    assert len(set(lost)) == 1  # retried or not, always the same id

    # 2. then the network is gone altogether
    context.unroute("**/api/v1/inspections/*/findings", answer_lost)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    record_finding(page, "Second: tread pattern differs from the invoice")
    expect(page.locator("#outbox-mark")).to_have_text("offline — 2 waiting")
    expect(page.locator("#findings-list .is-waiting")).to_have_count(2)

    # 3. reloaded with no network: the app still opens and shows what waits
    page.reload()
    expect(page.locator("#outbox-mark")).to_have_text("offline — 2 waiting")
    expect(page.locator("#offline-banner")).to_contain_text("last seen")
    expect(page.locator("#findings-list .is-waiting")).to_have_count(2)
    expect(page.locator("#findings-list")).to_contain_text("First: 12 pallets")
    expect(page.locator("#findings-list")).to_contain_text("Second: tread pattern")
    shoot(page, "50-offline-2-waiting")
    page.goto("/#/outbox")
    expect(page.locator("#outbox-list li")).to_have_count(2)
    shoot(page, "51-outbox-offline")
    page.goto(f"/#/inspections/{inspection_id}")

    # 4. the network is back: both go, in order, and each is stored once
    context.unroute("**/*")
    context.set_offline(False)
    expect(page.locator("#outbox-mark")).to_be_hidden(timeout=20_000)
    def stored() -> dict | None:
        view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
        return view if len(view["findings"]) >= 2 else None

    view = wait_for(stored, timeout=10, message="both findings stored")
    notes = [f["note"] for f in view["findings"]]
    assert notes == ["First: 12 pallets of tyres, not 10 as declared", "Second: tread pattern differs from the invoice"]
    assert view["findings"][0]["event_id"] == lost[0]  # the replay was recognised, not stored again
    finding_events = [e for e in view["events"] if e["type"] == "inspection.finding_added"]
    assert len(finding_events) == 2
    expect(page.locator("#findings-list li")).to_have_count(2)
    expect(page.locator("#findings-list .is-waiting")).to_have_count(0)


def test_inspection_started_offline_with_a_photo_reaches_the_box_in_order(page: Page, context: BrowserContext,
                                                                         lane: LaneRig) -> None:
    """Everything made offline depends on what came before it: the finding
    names the photo, both name the inspection. Replayed in order, all hold."""
    wait_for_service_worker(page)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)

    page.click("text=+ Start inspection")
    page.fill('[data-field="plate"] input', "KHN 512")
    page.fill('[data-field="containers.0"] input', "MAEU 736205 6")
    expect(page.locator('[data-field="containers.0"] .field-ok')).to_contain_text("Valid")
    page.click("#start-form button[type=submit]")
    page.wait_for_url("**/#/inspections/*-*")
    inspection_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#summary")).to_contain_text("KHN512")
    expect(page.locator(".page-head")).to_contain_text("NOT ON THE BOX YET")
    expect(page.locator("#attach-scale")).to_be_disabled()  # a live reading needs the box

    jpeg = photo_bytes()
    sha = hashlib.sha256(jpeg).hexdigest()
    page.set_input_files("#photo-input", files=[{"name": "boot.jpg", "mimeType": "image/jpeg", "buffer": jpeg}])
    expect(page.locator(f'#photo-list [data-sha256="{sha}"]')).to_contain_text("ON THIS TABLET")
    page.fill("#finding-form textarea", "Cartons under the floor of the trailer")
    page.click("#finding-form button[type=submit]")
    expect(page.locator("#outbox-mark")).to_have_text("offline — 3 waiting")
    expect(page.locator(f'#findings-list .is-waiting [data-sha256="{sha}"]')).to_be_visible()
    shoot(page, "52-started-offline")

    context.unroute("**/*")
    context.set_offline(False)
    expect(page.locator("#outbox-mark")).to_be_hidden(timeout=20_000)
    view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    assert view["plate"] == "KHN512" and view["started_by"] == "olga"
    assert [f["photos"] for f in view["findings"]] == [[sha]]
    assert {f["code"] for f in view["flags"]} == {"watchlist_hit"}  # KHN 512 is on the demo watchlist
    assert lane.api("GET", f"/photos/{sha}", user="olga").content == jpeg
    expect(page.locator(".page-head")).not_to_contain_text("NOT ON THE BOX YET")
    expect(page.locator('#flags [data-flag="watchlist_hit"]')).to_be_visible()


def test_writes_the_box_refuses_are_kept_aside_with_its_message(page: Page, context: BrowserContext,
                                                               lane: LaneRig) -> None:
    """A 4xx on replay does not block the queue and is not lost: it waits
    aside, with the box's reason, for the officer to decide. A reused id
    (409 id_reused) is one of them."""
    inspection_id = str(uuid.uuid4())
    assert lane.api("POST", "/inspections", user="olga", json={
        "id": inspection_id, "plate": "B123 XYZ", "containers": [], "inspection_type": "standard"}).status_code == 201
    page.goto(f"/#/inspections/{inspection_id}")
    expect(page.locator("#summary")).to_contain_text("B123XYZ")

    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    record_finding(page, "Made offline; the inspection is closed meanwhile")
    # a write whose id the box already holds for something else (here: the start itself)
    page.evaluate("""async (id) => {
        const outbox = await import('/app/js/outbox.js');
        await outbox.enqueue({path: `/inspections/${id}/findings`,
                              body: {id, ts: outbox.nowIso(), category: 'other', note: 'same id, other body'},
                              label: 'Finding with a reused id', record: {type: 'inspection', id, kind: 'finding'}});
    }""", inspection_id)
    expect(page.locator("#outbox-mark")).to_have_text("offline — 2 waiting")
    assert lane.api("POST", f"/inspections/{inspection_id}/outcome", user="sue",
                    json={"id": str(uuid.uuid4()), "outcome": "refer"}).status_code == 201

    context.unroute("**/*")
    context.set_offline(False)
    expect(page.locator("#outbox-mark")).to_have_text("2 not accepted", timeout=20_000)
    page.click("#outbox-mark")
    rejected = page.locator("#outbox-list .is-rejected")
    expect(rejected).to_have_count(2)
    expect(rejected.nth(0)).to_contain_text("inspection_closed")
    expect(rejected.nth(1)).to_contain_text("already used")
    expect(rejected.nth(1)).to_contain_text("id_reused")
    shoot(page, "53-outbox-refused")
    view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    assert view["findings"] == [] and view["outcome"] == "refer"

    page.on("dialog", lambda dialog: dialog.accept())
    rejected.nth(1).locator("text=Discard").click()
    expect(rejected).to_have_count(1)
    expect(page.locator("#outbox-mark")).to_have_text("1 not accepted")
