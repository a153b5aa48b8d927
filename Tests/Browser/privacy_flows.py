"""The customers' privacy center in a real browser: headless Debian chromium driven by Playwright.

Run by scripts/browser after the console's flows, against the same server, worker and PartnerSim (the same
environment: BASE_URL, DPO_KEY, SIM_URL, SIM_SECRET, DATABASE_URL, SCREENSHOT_DIR, CHROMIUM). A customer signs in
with the code PartnerSim received, withdraws a consent, files an access and an erasure request, downloads the export
once the DPO fulfilled access through the API, and sees the erasure completed. Any browser error fails the run.
"""
import json
import os
import sys
import time

from playwright.sync_api import sync_playwright

from api import API, sql, wait_for
from console_flows import Run, expect, submit

BASE = os.environ["BASE_URL"]
EMAIL = "polina.privacy@example.com"
TEXT = "newsletter-privacy-browser"


def prepare(api):
    """PartnerSim as the only active e-mail provider, and a customer with the newsletter granted. The console's flows
    registered another e-mail provider at PartnerSim, with a secret PartnerSim does not know: it is switched off and
    given PartnerSim's secret, since an erasure also reaches switched-off e-mail providers."""
    sql("UPDATE recipients SET active = false, signing_secret = '%s' WHERE kind = 'email_provider'" % os.environ["SIM_SECRET"])
    api.call("POST", "/v1/recipients", {
        "code": "sim-privacy-mail", "name": "PartnerSim mail", "kind": "email_provider", "base_url": os.environ["SIM_URL"],
        "signing_secret": os.environ["SIM_SECRET"], "country": "RU", "country_adequate": True,
        "data_categories": ["full_name", "email"]})
    # The console's flows registered consent texts, so every grant names the one the customer was shown.
    api.call("POST", "/v1/consent-texts", {
        "label": TEXT, "url": "https://shop.example/consent/newsletter", "text_sha256": "e" * 64,
        # In force from a minute ago: newer than any text the console's flows registered, so it is the one shown.
        "effective_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60)), "purposes": ["newsletter"]})
    subject = api.call("POST", "/v1/subjects", {"external_ref": "privacy-browser", "full_name": "Полина Приватова", "email": EMAIL})
    api.call("POST", f"/v1/subjects/{subject['id']}/consents", {
        "purpose": "newsletter", "action": "grant", "policy_version": "v1", "channel": "web_form", "consent_text": TEXT})
    return subject["id"]


def mailed_codes():
    """The verification codes PartnerSim received for EMAIL, oldest first."""
    import urllib.request
    with urllib.request.urlopen(os.environ["SIM_URL"] + "/_received", timeout=10) as response:
        received = json.load(response)["received"]
    return [m["body"]["variables"]["code"] for m in received
            if m["endpoint"] == "/email/messages" and m["body"].get("template") == "privacy_verification_code"
            and m["body"].get("to") == EMAIL]


def main():
    api = API(BASE, os.environ["DPO_KEY"])
    subject_id = prepare(api)
    run = Run()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
        context = browser.new_context(locale="ru-RU", viewport={"width": 1100, "height": 900}, accept_downloads=True)
        page = run.watch(context.new_page())

        def sign_in():
            page.goto(BASE + "/privacy")
            run.shot(page, "privacy-1-email")
            page.fill("#email", EMAIL)
            submit(page, "#send-code")
            expect(EMAIL in page.inner_text("#code-sent"), "the code page names the address typed")
            code = wait_for(lambda: (mailed_codes() or [None])[-1], what="the code at PartnerSim")
            run.shot(page, "privacy-2-code")
            page.fill("#code", code)
            submit(page, "#verify")
            expect(page.url.endswith("/privacy/account"), f"signed in, on the account page (at {page.url})")
            expect("Полина" not in page.url and EMAIL not in page.url, "no personal data in the URL")
        run.flow("privacy 1. sign in with the code PartnerSim received", sign_in)

        def withdraw():
            newsletter = page.locator("#consent-newsletter")
            expect("согласие дано" in newsletter.inner_text(), "the newsletter is shown as granted")
            expect("PartnerSim mail" in newsletter.inner_text(), "with its recipients")
            expect(page.locator("#consent-analytics .not-grantable").count() == 1 and page.locator("#consent-analytics button").count() == 0,
                   "a purpose without a consent text in force offers no grant (the shop registered texts)")
            run.shot(page, "privacy-3-account")
            submit(page, "#consent-newsletter button.withdraw")
            expect("согласие отозвано" in page.locator("#consent-newsletter").inner_text(), "and now as withdrawn")
            expect(sql("SELECT channel FROM consent_events WHERE subject_id = '%s' AND action = 'withdraw' LIMIT 1" % subject_id) == "privacy_center",
                   "recorded with channel privacy_center")
            expect(TEXT in page.inner_text("#consent-newsletter"), "the consent text a new grant is made on is shown")
            submit(page, "#consent-newsletter button.grant")
            expect("согласие дано" in page.locator("#consent-newsletter").inner_text(), "granted again")
            expect(sql("SELECT t.label FROM consent_events e JOIN consent_texts t ON t.id = e.consent_text_id "
                       "WHERE e.subject_id = '%s' AND e.channel = 'privacy_center' AND e.action = 'grant'" % subject_id) == TEXT,
                   "the grant names the consent text shown")
            submit(page, "#consent-newsletter button.withdraw")
        run.flow("privacy 2. withdraw the newsletter consent, give it again on the text shown, withdraw it", withdraw)

        def file_requests():
            page.click("#file-access summary")
            submit(page, "#submit-access")
            page.click("#file-erasure summary")
            page.select_option("#ground-erasure", "consent_withdrawn")
            submit(page, "#submit-erasure")
            rows = page.locator("#requests tbody tr")
            expect(rows.count() == 2, "both requests are listed")
            expect("получено" in page.inner_text("#requests"), "with their status")
            run.shot(page, "privacy-4-requests")
        run.flow("privacy 3. file an access and an erasure request", file_requests)

        def download_export():
            access = sql("SELECT id FROM subject_requests WHERE subject_id = '%s' AND kind = 'access'" % subject_id)
            api.call("POST", f"/v1/subject-requests/{access}/fulfil")
            page.reload()
            with page.expect_download() as json_download:
                page.click(f"#request-{access} a.export-json")
            data = json.loads(open(json_download.value.path(), encoding="utf-8").read())
            expect(data["subject"]["email"] == EMAIL, "the JSON export holds the customer's data")
            with page.expect_download() as html_download:
                page.click(f"#request-{access} a.export-html")
            html = open(html_download.value.path(), encoding="utf-8").read()
            expect(EMAIL in html and "История согласий" in html, "the HTML export is readable, its sections headed in the customer's language")
            run.shot(page, "privacy-5-export")
        run.flow("privacy 4. download the access export as JSON and HTML once the DPO fulfilled it", download_export)

        def erasure_completed():
            erasure = sql("SELECT id FROM subject_requests WHERE subject_id = '%s' AND kind = 'erasure'" % subject_id)
            api.call("POST", f"/v1/subject-requests/{erasure}/fulfil")
            wait_for(lambda: sql("SELECT status FROM subject_requests WHERE id = '%s'" % erasure) == "completed",
                     what="the erasure's cascade to complete")
            page.reload()
            expect(page.locator("#erased").count() == 1, "the page says the data are erased")
            expect("исполнено" in page.inner_text(f"#request-{erasure}"), "and shows the erasure completed")
            expect(page.locator("a.export-json").count() == 0, "and offers no export of data that are gone")
            run.shot(page, "privacy-6-erased")
        run.flow("privacy 5. see the erasure completed after the DPO fulfilled it", erasure_completed)

        def forged_form():
            other = run.watch(browser.new_context(locale="en-US").new_page())
            other.goto(BASE + "/privacy")
            # The page's token no longer matches any cookie, as for a form planted by another site.
            other.context.clear_cookies()
            other.fill("#email", EMAIL)
            with other.expect_navigation():
                other.click("#send-code")
            expect(other.locator("#message").count() == 1, "a form with a wrong CSRF token gets the refusal page")
            expect(len(mailed_codes()) == 1, "and no code is sent")
            other.context.close()
        run.flow("privacy refusal: a form whose CSRF token matches no cookie", forged_form, refused=(403,))

        browser.close()
    print(f"privacy center: {run.passed} passed, {len(run.failures)} failed", flush=True)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
