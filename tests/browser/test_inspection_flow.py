"""A whole inspection in the browser: start (scanned and typed containers,
checked as typed), declaration and risk, passport, weight, trace alarm,
a finding with a photo, checklist, seizure with bags, the label sheet
printed on A4, a hand-over confirmed by scanning the bag's label, the
seizure's PDF report, and the inspection's own report (PDF) opened from
its screen."""

from __future__ import annotations

import hashlib
import re

from playwright.sync_api import Page, expect

from drivers.simulators.mrz_reader import made_up_specimens
from tests.support.browser import SCREENSHOTS, inspection_id_from, pdf_bytes_of_link, pdf_of_link, photo_bytes, shoot
from tests.support.lane_process import PASSWORDS, LaneRig
from tests.support.page_wait import wait_in_page
from tests.support.pdf_text import pdf_text
from tests.support.waiting import wait_for

AUDIT = {"X-Justification": "audit"}


def test_whole_inspection_to_seizure_labels_handover_and_report(page: Page, lane: LaneRig, reference: dict) -> None:
    sims = lane.sims
    sims["scale-1"].model.set_load(0, settle=True)

    # ----- start: plate typed, a container scanned, a typo caught as typed -----
    page.click("text=+ Start inspection")
    expect(page.locator("#start-form")).to_be_visible()
    page.fill('[data-field="plate"] input', "EK 48213")
    sims["barcode-1"].scan("CSQU3054383")
    expect(page.locator('[data-field="containers.0"] input')).to_have_value("CSQU3054383")
    expect(page.locator('[data-field="containers.0"] .field-ok')).to_contain_text("Valid: owner CSQ")
    page.click("text=+ Add container")
    second = page.locator('[data-field="containers.1"] input')
    second.press_sequentially("MSCU482913")
    expect(page.locator('[data-field="containers.1"] .hint')).to_contain_text("1 more character")
    second.press("1")  # MSCU4829130 is right: 1 is a typo
    expect(page.locator('[data-field="containers.1"] .field-error')).to_contain_text("needs 0, not 1")
    page.fill('[data-field="declaration_ref"] input', "GB-DEC-0001")
    page.click("#start-form button[type=submit]")  # refused here, before the box sees it
    expect(page.locator('[data-field="containers.1"] .field-error')).to_contain_text("Check digit")
    expect(page.locator("#lookup-preview")).to_contain_text("GB-DEC-0001")
    shoot(page, "20-start-inspection", full_page=True)
    page.click('.container-row:has([data-field="containers.1"]) button')
    page.click("#start-form button[type=submit]")
    inspection_id = inspection_id_from(page)

    # ----- the declaration, watchlist and risk -----
    expect(page.locator("#declaration")).to_contain_text("GB-DEC-0001")
    expect(page.locator("#declaration")).to_contain_text("Frozen cod fillets")
    expect(page.locator("#risk-level")).to_be_visible()

    # ----- passport from the document reader -----
    sims["document-1"].present(made_up_specimens()[0])
    expect(page.locator("#step-document .holder")).to_have_text("HALLORAN, BRIDGET AOIFE")
    page.click("#attach-document")
    expect(page.locator("#document-attached")).to_contain_text("HALLORAN")
    expect(page.locator("#document-attached")).to_contain_text("VALID")

    # ----- weight: refused while moving, attached when stable, discrepancy flagged -----
    declared = next(d for d in reference["declarations"] if d["ref"] == "GB-DEC-0001")["gross_weight_kg"]
    sims["scale-1"].model.drive_on(declared * 1.2, seconds=1.5)
    expect(page.locator("#step-weight .motion")).to_have_text("MOVING")
    expect(page.locator("#attach-scale")).to_be_disabled()
    expect(page.locator("#step-weight .hint")).to_contain_text("Wait for STABLE")
    expect(page.locator("#step-weight .motion")).to_have_text("STABLE", timeout=15_000)
    expect(page.locator("#attach-scale")).to_be_enabled()
    page.click("#attach-scale")
    expect(page.locator("#weights-attached")).to_contain_text("DISCREPANCY")
    expect(page.locator('#flags [data-flag="weight_discrepancy"]')).to_be_visible()

    # ----- trace alarm: flagged, referral proposed -----
    sims["trace-1"].swab([("cocaine", 420.0)])
    expect(page.locator("#step-trace .tile")).to_have_class(re.compile("is-alarm"))
    page.click("#attach-trace")
    expect(page.locator("#traces-attached")).to_contain_text("ALARM")
    expect(page.locator("#alarm-banner")).to_contain_text("referral proposed")
    expect(page.locator('#outcome-form [data-outcome="refer"]')).to_have_class(re.compile("is-proposed"))

    # ----- a finding with a photo, fingerprinted on the tablet -----
    jpeg = photo_bytes()
    sha = hashlib.sha256(jpeg).hexdigest()
    page.fill("#finding-form textarea", "")
    page.click("#finding-form button[type=submit]")
    expect(page.locator('#finding-form [data-field="note"] .field-error')).to_contain_text("Write what was found")
    page.set_input_files("#photo-input", files=[{"name": "cab.jpg", "mimeType": "image/jpeg", "buffer": jpeg}])
    expect(page.locator(f'#photo-list [data-sha256="{sha}"]')).to_contain_text("ON THIS TABLET")  # sent later
    expect(page.locator(f'#photo-list [data-sha256="{sha}"]')).to_contain_text("Fingerprinted ✓")
    page.select_option('#finding-form select', "concealment")
    page.fill("#finding-form textarea", "False floor behind the cab, 20 cartons of cigarettes")
    page.click("#finding-form button[type=submit]")
    expect(page.locator("#findings-list")).to_contain_text("False floor behind the cab")
    expect(page.locator(f'#findings-list [data-sha256="{sha}"] img')).to_be_visible()

    # ----- checklist -----
    first_item = page.locator("#checklist .checklist-item").first
    first_item.click()
    expect(first_item).to_have_attribute("aria-pressed", "true")
    expect(first_item.locator(".who")).to_contain_text("olga")
    shoot(page, "21-inspection", full_page=True)
    shoot(page, "21-inspection-top")
    shoot(page, "22-inspection-steps", at="#step-weight")

    view = lane.api("GET", f"/inspections/{inspection_id}", user="olga").json()
    assert view["document"]["data"]["mrz"]["surname"] == "HALLORAN"
    # the open inspection was its own reason: the screen showed the passport without asking, and it is logged
    seen = lane.api("GET", f"/consultations?record={inspection_id}&user=olga&limit=1", user="sue").json()["entries"]
    assert seen and seen[0]["justification"] == {"code": "this_inspection", "words": "This inspection",
                                                 "text": None, "implicit": True}
    assert {f["code"] for f in view["flags"]} >= {"weight_discrepancy", "trace_alarm"}
    assert view["findings"][0]["photos"] == [sha]
    assert view["risk"]["level"] == "high"

    # ----- outcome: the review lists what is open; releasing needs a reason for each flag; seize → the form -----
    page.click('#outcome-form [data-outcome="release"]')
    expect(page.locator('#review-flags [data-flag="trace_alarm"]')).to_be_visible()
    expect(page.locator('#review-flags [data-flag="weight_discrepancy"]')).to_be_visible()
    page.click("#confirm-outcome")
    expect(page.locator("#review .form-error")).to_contain_text("trace alarm")
    shoot(page, "23-inspection-outcome")
    page.click("#review-cancel")
    page.click('#outcome-form [data-outcome="seize"]')
    page.click("#confirm-outcome")
    expect(page.locator("#seizure-form")).to_be_visible()
    page.click("#seizure-form button[type=submit]")  # empty: every problem next to its field
    expect(page.locator('[data-field="items.0.description"] .field-error')).to_be_visible()
    expect(page.locator('[data-field="items.0.hs_code"] .field-error')).to_contain_text("6 to 10 digits")
    expect(page.locator('[data-field="legal_basis"] .field-error')).to_be_visible()
    page.fill('[data-field="items.0.description"] input', "Cigarettes, king size, 20 cartons")
    page.fill('[data-field="items.0.hs_code"] input', "240220")
    page.fill('[data-field="items.0.quantity"] input', "20")
    page.select_option('[data-field="items.0.unit"] select', "cartons")
    # this lane has no bench scale, and the lorry on the weighbridge is no weight for seized goods: typed
    expect(page.locator('[data-weighed="0"]')).to_have_text("No bench scale at this lane: type the weight.")
    page.fill('[data-field="items.0.weight_kg"] input', "212.5")
    page.fill('[data-field="items.0.value"] input', "1200")
    page.select_option('[data-field="items.0.currency"] select', "EUR")
    page.fill('[data-field="legal_basis"] input', "CEMA 1979 s.139 — goods liable to forfeiture")
    shoot(page, "30-seizure-form", full_page=True)
    page.click("#seizure-form button[type=submit]")
    page.wait_for_url("**/#/seizures/*")
    seizure_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#seizure-plate")).to_have_text("EK48213")  # which lorry, not an id
    bag = page.locator(".bag").first
    expect(bag.locator(".bag-id")).to_have_text(re.compile(r"^BAG-[0-9A-F]{8}$"))
    bag_id = bag.locator(".bag-id").inner_text()
    # the seizure's outcome goes through the outbox after the seizure: read it once the box has it
    view = wait_for(lambda: (seen := lane.api("GET", f"/inspections/{inspection_id}", user="olga",
                                              headers=AUDIT).json())["outcome"] and seen,
                    interval=0.2, message="the box to hold the outcome")  # each look is logged
    assert view["status"] == "closed" and view["outcome"] == "seize"
    assert view["seizures"] == [seizure_id]

    # ----- more bags, by hand: the label sheet then spans two A4 pages -----
    for n in range(8):
        page.fill('#add-bag-form [data-field="description"] input', f"Carton sample {n + 2}")
        page.click("#add-bag-form button[type=submit]")
        expect(page.locator(".bag")).to_have_count(n + 2)
    seizure = lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()
    assert [b["bag_id"] for b in seizure["bags"]][0] == bag_id and len(seizure["bags"]) == 9

    # ----- custody: seal (typed id, a wrong one refused first) -----
    bag.locator('[data-action="sealed"]').click()
    bag.locator('[data-field="seal_number"] input').fill("S-000123")
    bag.locator('[data-field="witness_username"] input').fill("sue")  # a second officer countersigns
    bag.locator('[data-field="witness_password"] input').fill(PASSWORDS["sue"][1])
    bag.locator('[data-field="scanned_text"] input').fill("BAG-00000000")
    bag.locator("form.handover button[type=submit]").click()
    expect(bag.locator('[data-field="scanned_text"] .field-error')).to_contain_text("is not this bag")
    bag.locator('[data-field="scanned_text"] input').fill(bag_id.lower())
    bag.locator("form.handover button[type=submit]").click()
    expect(page.locator(f'.bag[data-bag="{bag_id}"] .timeline')).to_contain_text("sealed")
    # the expected next step is offered first; Destroy stands apart from Release
    expect(page.locator(f'.bag[data-bag="{bag_id}"] .custody-actions .btn').first).to_have_text("Next: Hand over")
    expect(page.locator(f'.bag[data-bag="{bag_id}"] .custody-destroy [data-action="destroyed"]')).to_be_visible()
    shoot(page, "31-seizure", full_page=True)

    # ----- the label sheet -----
    page.click("#labels-link")
    expect(page.locator("#label-sheet .label")).to_have_count(9)
    expect(page.locator(f'.label[data-bag="{bag_id}"] .qr img')).to_have_attribute("src", re.compile("^blob:"))
    wait_in_page(page, "[...document.querySelectorAll('.label .qr img')].length === 9 && "
                       "[...document.querySelectorAll('.label .qr img')]"
                       ".every(i => i.complete && i.naturalWidth > 0)")
    expect(page.locator(f'.label[data-bag="{bag_id}"]')).to_contain_text(seizure_id)
    expect(page.locator(f'.label[data-bag="{bag_id}"]')).to_contain_text("EK48213")
    shoot(page, "32-label-sheet", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("#print-button")).to_be_hidden()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(SCREENSHOTS / "33-label-sheet-print-A4.png"), full_page=True)
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2  # eight labels on the first A4, one on the next
    printed = SCREENSHOTS / "33-label-sheet-A4.pdf"
    printed.write_bytes(pdf)
    viewer = page.context.new_page()  # what the printer gets, through Chromium's PDF viewer, for a human to look at
    viewer.set_viewport_size({"width": 1000, "height": 1400})
    viewer.goto(f"{printed.as_uri()}#view=Fit")
    viewer.wait_for_timeout(1500)
    viewer.screenshot(path=str(SCREENSHOTS / "33-label-sheet-A4-pdf.png"))
    viewer.close()
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 800})

    # ----- hand-over confirmed by scanning the bag's label on the lane reader -----
    page.go_back()
    bag = page.locator(f'.bag[data-bag="{bag_id}"]')
    bag.locator('[data-action="handed_over"]').click()
    bag.locator('[data-field="to"] input').fill("DC Rivers, Border Force evidence store")
    bag.locator('[data-field="location"] input').fill("Lane 3 kiosk")
    expect(bag.locator(".scan-wait")).to_contain_text(f"Scan the QR label of {bag_id}")
    shoot(page, "34-handover-waiting-for-scan", at=f'.bag[data-bag="{bag_id}"] form.handover')
    sims["barcode-1"].scan("BAG-FFFFFFFF")  # another bag's label: refused on the spot
    expect(bag.locator(".scan-wait")).to_contain_text("that is not")
    sims["barcode-1"].scan(bag_id, symbology="]Q1")
    expect(bag.locator(".timeline")).to_contain_text("handed over")
    expect(bag.locator(".timeline")).to_contain_text("QR scanned")
    steps = next(b for b in lane.api("GET", f"/seizures/{seizure_id}", user="olga").json()["bags"]
                 if b["bag_id"] == bag_id)["custody"]
    assert [(s["action"], s["confirmation"]) for s in steps] == [("sealed", "typed"), ("handed_over", "scan")]
    assert steps[1]["to"] == "DC Rivers, Border Force evidence store"

    # ----- the PDF report, fetched with the token -----
    page.context.on("page", lambda popup: popup.close())  # the PDF tab the app opens
    page.click("#report-button")
    expect(page.locator("#justify")).to_contain_text("Why do you open this report?")  # a closed record: asked
    shoot(page, "35-report-why")
    page.fill("#justify-words", "CPS file 4471")
    page.click("#justify-court_request")
    expect(page.locator("#pdf-link")).to_have_attribute("href", re.compile("^blob:"))
    pdf = pdf_bytes_of_link(page, "#pdf-link")
    assert pdf["type"] == "application/pdf" and pdf["head"] == "%PDF-" and pdf["size"] > 1000

    # ----- the inspection's own report, from the inspection screen -----
    page.goto(f"/#/inspections/{inspection_id}")  # closed by olga just now: still her own work, not asked why
    expect(page.locator("#outcome-badge")).to_have_text("SEIZE")
    expect(page.locator("#inspection-report")).to_be_enabled()
    shoot(page, "24-inspection-report-button")
    page.click("#inspection-report")
    link = "#inspection-report + #pdf-link"
    expect(page.locator(link)).to_have_attribute("href", re.compile("^blob:"))
    report = pdf_text(pdf_of_link(page, link))
    first_item = reference["checklists"]["standard"][0]
    for seen in ("Inspection of EK48213, ", inspection_id, "CSQU3054383", "GB-DEC-0001",
                 "HALLORAN, BRIDGET AOIFE", "DISCREPANCY", "trace detector alarm: cocaine", sha, first_item,
                 f"Seizure {seizure_id}", bag_id, "Verified when this report was made: the hash chain is whole"):
        assert seen in report, seen
    for event in lane.api("GET", f"/inspections/{inspection_id}", user="olga", headers=AUDIT).json()["events"]:
        assert event["hash"] in report
