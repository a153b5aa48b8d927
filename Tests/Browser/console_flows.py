"""The DPO console's flows in a real browser: headless Debian chromium driven by Playwright.

Run by scripts/browser, which starts PostgreSQL, custodian serve and work and PartnerSim, and passes:
BASE_URL, DPO_KEY (an API key to prepare data), SIM_URL and SIM_SECRET (PartnerSim), DPO_LINK and VIEWER_LINK
(one-time enrolment links), DATABASE_URL, SCREENSHOT_DIR. One browser for the whole run; the flows share
one prepared database and run in order. Any browser console error, page error or dialog fails the run.
"""
import os
import re
import sys
import time
import traceback

from playwright.sync_api import sync_playwright

from api import API, sql, totp, wait_for

BASE = os.environ["BASE_URL"]
SHOTS = os.environ.get("SCREENSHOT_DIR", "browser-screenshots")
PASSWORD = "correct horse battery staple"
# The injection suite's hostile strings, and the ones that break out of HTML text and attributes.
HOSTILE = [
    "<script>alert(1)</script>&amp;",
    "\"><img src=x onerror=alert(2)>",
    "'><svg onload=alert(3)>",
    "javascript:alert(4)",
    "Robert'); DROP TABLE subjects;--",
    "$1 %s %n %x {{7*7}} ${jndi:ldap://127.0.0.1/a} $(id) `id`",
    "😀 Ünïcødé ﬁ e\u0301",
    # Markup characters fused into one grapheme cluster with their neighbours (a prepended U+0600, a combining accent).
    "\u0600<b>fused\u0600</b>",
    "\"\u0301 autofocus onfocus=alert(5) x=\"",
]


class Run:
    """Collects results, browser errors and screenshots."""

    def __init__(self):
        self.failures = []
        self.browser_errors = []
        self.passed = 0

    def watch(self, page):
        page.on("console", lambda message: message.type == "error" and self.browser_errors.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.browser_errors.append(f"page error: {error}"))
        page.on("dialog", lambda dialog: (self.browser_errors.append(f"dialog opened: {dialog.message}"), dialog.dismiss()))
        return page

    def shot(self, page, name):
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)

    def flow(self, name, body, refused=()):
        """Runs one flow. `refused`: the HTTP statuses of the refusal pages this flow expects to see, whose
        "Failed to load resource" console messages are the refusal itself, not an error."""
        errors_before = len(self.browser_errors)
        started = time.time()
        expected = tuple(f"Failed to load resource: the server responded with a status of {status} " for status in refused)
        try:
            body()
            new_errors = [e for e in self.browser_errors[errors_before:] if not e.removeprefix("console: ").startswith(expected)]
            if new_errors:
                raise AssertionError(f"browser errors: {new_errors}")
            self.passed += 1
            print(f"ok - {name} ({time.time() - started:.1f} s)", flush=True)
        except Exception:
            self.failures.append(name)
            print(f"not ok - {name}", flush=True)
            traceback.print_exc(file=sys.stdout)


def submit(page, selector):
    """Clicks a submit button and waits until the page its form leads to (after any redirect) has loaded."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def prepare(api, sim_url, sim_secret):
    """Recipients, a policy, subjects with hostile text, a courier transfer, requests, and a job that fails."""
    api.call("POST", "/v1/recipients", {
        "code": "sim-courier", "name": "PartnerSim courier", "kind": "courier", "base_url": sim_url,
        "signing_secret": sim_secret, "country": "RU", "country_adequate": True,
        "data_categories": ["full_name", "phone", "delivery_address"]})
    # A courier whose address is wrong: its transfer fails for good until the address is fixed.
    broken = api.call("POST", "/v1/recipients", {
        "code": "sim-broken", "name": "Courier " + HOSTILE[1], "kind": "courier", "base_url": sim_url + "/gone",
        "signing_secret": sim_secret, "country": "RU", "country_adequate": True,
        "data_categories": ["full_name", "phone", "delivery_address"]})
    api.call("POST", "/v1/purposes", {
        "code": "hostile_test", "title": HOSTILE[0][:100], "description": " | ".join(HOSTILE), "legal_basis": "legitimate_interest",
        "retention_days": 30})
    api.call("POST", "/v1/policy-versions", {
        "label": "v1", "url": "https://shop.example/privacy", "text_sha256": "d" * 64, "effective_at": "2020-01-01T00:00:00Z"})
    hostile = " | ".join(HOSTILE)
    erased = api.call("POST", "/v1/subjects", {
        "external_ref": "ext-<b>bold</b>-1", "full_name": "Ирина " + HOSTILE[1], "email": "irina@example.com",
        "phone": "+79161234567", "registration_address": hostile})
    api.call("POST", f"/v1/subjects/{erased['id']}/consents", {
        "purpose": "newsletter", "action": "grant", "policy_version": "v1", "channel": "web_form",
        "occurred_at": "2026-11-01T10:00:00Z"}, expect=(201,))
    delivery = {"recipient_name": HOSTILE[0], "phone": "+7 903 777-00-01", "address_lines": [HOSTILE[2]],
                "city": "Казань", "postal_code": "420000", "country": "RU"}
    order = api.call("POST", "/v1/orders", {
        "subject_id": erased["id"], "external_ref": "SO-" + HOSTILE[1][:20], "currency": "RUB", "total_minor": 100,
        "items": [{"sku": "CUP", "name": "Cup", "quantity": 1, "unit_price_minor": 100}], "delivery": delivery})
    api.call("POST", f"/v1/orders/{order['id']}/shipments", {"courier": "sim-courier"})
    wait_for(lambda: api.call("GET", f"/v1/subjects/{erased['id']}/transfers")["items"], what="the courier transfer")

    other = api.call("POST", "/v1/subjects", {"external_ref": "ext-2", "full_name": "Пётр Иванов", "email": "petr@example.com"})
    order2 = api.call("POST", "/v1/orders", {
        "subject_id": other["id"], "external_ref": "SO-2", "currency": "RUB", "total_minor": 100,
        "items": [{"sku": "CUP", "name": "Cup", "quantity": 1, "unit_price_minor": 100}], "delivery": delivery})
    api.call("POST", f"/v1/orders/{order2['id']}/shipments", {"courier": "sim-broken"})
    wait_for(lambda: sql("SELECT count(*) FROM jobs WHERE state = 'failed'") == "1", what="the broken courier's job to fail")

    # A vendor without an API: the analytics grant becomes a DPO task.
    api.call("POST", "/v1/recipients", {
        "code": "offline-analytics", "name": "Offline Analytics", "kind": "analytics", "delivery_mode": "manual",
        "contact": "dpo@analytics.example", "language": "en", "country": "RU", "country_adequate": True,
        "data_categories": ["pseudonymous_id"]})
    api.call("POST", f"/v1/subjects/{other['id']}/consents", {
        "purpose": "analytics", "action": "grant", "policy_version": "v1", "channel": "web_form"}, expect=(201,))
    task = wait_for(lambda: api.call("GET", "/v1/manual-tasks?status=open")["items"], what="the manual task")[0]

    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    erasure = api.call("POST", "/v1/subject-requests", {
        "subject_id": erased["id"], "kind": "erasure", "regime": "fz152", "channel": "email", "received_at": now})
    access = api.call("POST", "/v1/subject-requests", {
        "subject_id": other["id"], "kind": "access", "regime": "fz152", "channel": "web_form", "received_at": now})
    # Long overdue: red in the inbox.
    overdue = api.call("POST", "/v1/subject-requests", {
        "subject_id": other["id"], "kind": "objection", "regime": "gdpr", "channel": "post", "received_at": "2026-09-01T09:00:00Z"})
    claim = api.call("POST", "/v1/subject-requests", {
        "subject_id": other["id"], "kind": "claim", "regime": "fz152", "channel": "post", "received_at": now,
        "text": "Верните деньги за заказ SO-2.\n" + hostile})
    return {"erased": erased["id"], "other": other["id"], "erasure": erasure["id"], "access": access["id"],
            "overdue": overdue["id"], "broken": broken["recipient"]["id"], "claim": claim["id"], "task": task["id"]}


def enrol(run, page, link, with_totp):
    page.goto(link)
    run.shot(page, "enrol")
    secret = None
    if with_totp:
        secret = page.locator("#totp-secret").inner_text().strip()
        expect(re.fullmatch(r"[A-Z2-7]{32}", secret), f"the TOTP secret is shown in base32: {secret!r}")
    page.fill("#password", PASSWORD)
    page.fill("#password_again", PASSWORD)
    step = int(time.time()) // 30
    if with_totp:
        page.fill("#code", totp(secret, step))
    submit(page, "button[type=submit]")
    expect("ready" in page.inner_text("main"), "enrolment confirms the account is ready")
    return secret, step


def log_in(page, email, code=None):
    page.goto(BASE + "/console/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    if code:
        page.fill("#code", code)
    submit(page, "button[type=submit]")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    api = API(BASE, os.environ["DPO_KEY"])
    data = prepare(api, os.environ["SIM_URL"], os.environ["SIM_SECRET"])
    run = Run()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
        dpo = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = run.watch(dpo.new_page())
        state = {}

        def enrol_dpo():
            state["secret"], state["step"] = enrol(run, page, os.environ["DPO_LINK"], with_totp=True)
            page.goto(os.environ["DPO_LINK"])
            expect("unknown, used or expired" in page.inner_text("main"), "the one-time link works once")
        run.flow("1. set a password from the one-time link and enrol TOTP", enrol_dpo, refused=(400,))

        def wrong_totp():
            log_in(page, "dpo@example.com", "000000" if totp(state["secret"]) != "000000" else "111111")
            expect("Wrong e-mail, password or code" in page.inner_text("main"), "a wrong TOTP code is refused")
            expect(page.url.endswith("/console/login"), "a refused login stays on the login page")
        run.flow("refusal: a wrong TOTP code", wrong_totp, refused=(401,))

        def login():
            # A code works once: the step after the one enrolment used, or the current one if time has moved on.
            step = max(state["step"] + 1, int(time.time()) // 30)
            if step > int(time.time()) // 30 + 1:
                time.sleep(30 - time.time() % 30 + 0.5)
            log_in(page, "dpo@example.com", totp(state["secret"], step))
            expect(page.url.endswith("/console/inbox"), f"login lands on the inbox, not {page.url}")
            cookie = next(c for c in dpo.cookies() if c["name"] == "console_session")
            expect(cookie["httpOnly"] and cookie["sameSite"] == "Strict", f"the session cookie is HttpOnly and SameSite=Strict: {cookie}")
            rows = page.locator("table.list tbody tr")
            expect(rows.count() == 4, f"four open requests in the inbox, not {rows.count()}")
            expect("urgency-overdue" in (rows.first.get_attribute("class") or ""), "the overdue request comes first, marked red")
            run.shot(page, "inbox")
        run.flow("2. log in with password and TOTP; the inbox lists open requests by due date", login)

        def find_subject():
            with page.expect_navigation():
                page.click("text=Subjects")
            page.fill("#query", "IRINA@example.com")
            submit(page, "button:has-text('Search')")
            expect("/console/subjects/search" in page.url and "irina" not in page.url.lower(), "the search is a POST: no e-mail in the URL")
            result = page.locator("#results tbody tr")
            expect(result.count() == 1, "one subject found")
            expect("i***@example.com" in result.inner_text(), "the result is masked")
            run.shot(page, "subject-search")
            with page.expect_navigation():
                result.locator("a").click()
            profile = page.inner_text("#profile")
            expect("irina@example.com" not in profile and "i***@example.com" in profile, "the profile is masked")
            expect("sim-courier" in page.inner_text("#transfers"), "the transfer to the courier is listed")
            submit(page, "#reveal")
            profile = page.inner_text("#profile")
            expect("irina@example.com" in profile, "reveal shows the e-mail")
            for text in HOSTILE:
                expect(text in page.inner_text("main"), f"hostile text is shown as text: {text!r}")
            expect("console.subject.reveal" in page.inner_text("#audit") and "dpo@example.com" in page.inner_text("#audit"),
                   "the reveal is in the audit trail under the user's name")
            run.shot(page, "subject")
        run.flow("3. find a subject; the profile is masked until an audited reveal; hostile text stays text", find_subject)

        def fulfil_erasure():
            page.goto(f"{BASE}/console/requests/{data['erasure']}")
            expect("Art. 21(5) 152-FZ" in page.inner_text("#request-due"), "the due date names its rule")
            submit(page, "button:has-text('Fulfil')")
            expect("Fulfil this request?" in page.inner_text("main"), "fulfil asks to confirm")
            run.shot(page, "confirm")
            submit(page, "#confirm")
            expect(page.url.endswith(data["erasure"]), "back on the request page")

            def confirmed():
                page.goto(f"{BASE}/console/requests/{data['erasure']}")
                statuses = page.locator("#cascade .cascade-status").all_inner_texts()
                return statuses and all(s == "confirmed" for s in statuses)
            wait_for(confirmed, timeout=30, what="the cascade to complete against PartnerSim")
            expect("completed" in page.inner_text("#request-status"), "the request completes with its cascade")
            expect("Destruction record" in page.inner_text("main"), "the destruction record is shown as proof")
            run.shot(page, "request-erasure")
            submit(page, "#open-act")
            expect(page.inner_text("#act-subject") == data["erased"], "the act names the subject by its internal id")
            expect("Local demo shop" in page.inner_text("#act-operator"), "the act names the operator")
            expect("full_name" in page.inner_text("#act-categories"), "and the categories destroyed")
            expect("dpo@example.com" in page.inner_text("#act-performer") and "console user" in page.inner_text("#act-performer"),
                   f"an erasure fulfilled through the console names its user: {page.inner_text('#act-performer')}")
            expect(page.locator("#act-log tbody tr").count() >= 1, "with its log extract")
            run.shot(page, "destruction-act")
        run.flow("4. fulfil an erasure request and watch its cascade complete against PartnerSim", fulfil_erasure)

        def retry_job():
            page.goto(BASE + "/console/queue")
            failed = page.locator("#failed-jobs tbody tr")
            expect(failed.count() == 1, "the broken courier's job is listed as failed")
            expect("404" in failed.inner_text() or "HTTP" in failed.inner_text(), f"with its last error: {failed.inner_text()}")
            run.shot(page, "queue")
            api.call("PATCH", f"/v1/recipients/{data['broken']}", {"base_url": os.environ["SIM_URL"]})
            with page.expect_navigation():
                failed.locator("button:has-text('Retry')").click()
            expect(page.url.endswith("/console/queue"), "back on the queue")
            wait_for(lambda: sql("SELECT count(*) FROM jobs WHERE state = 'failed'") == "0"
                     and sql("SELECT count(*) FROM shipments WHERE status = 'sent'") == "2", what="the retried job to deliver")
            page.goto(BASE + "/console/queue")
            expect(page.locator("#failed-jobs").count() == 0, "no failed job is left")
        run.flow("5. retry a failed job", retry_job)

        def extend_by_keyboard():
            page.goto(BASE + "/console/inbox")
            # Keyboard only: Tab to the access request's link, Enter; Tab to Extend, Enter; type the reason, Enter.
            for _ in range(60):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.getAttribute('href') || ''").endswith(data["access"]):
                    break
            else:
                raise AssertionError("the access request's link cannot be reached with Tab")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(data["access"] + "$"))
            for _ in range(60):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.textContent") == "Extend the deadline":
                    break
            else:
                raise AssertionError("Extend cannot be reached with Tab")
            page.keyboard.press("Enter")
            page.wait_for_selector("#reason")
            for _ in range(30):
                if page.evaluate("document.activeElement.id") == "reason":
                    break
                page.keyboard.press("Tab")
            else:
                raise AssertionError("the reason field cannot be reached with Tab")
            page.keyboard.type("Identity documents requested " + HOSTILE[1])
            page.keyboard.press("Tab")
            expect(page.evaluate("document.activeElement.id") == "confirm", "Tab reaches Confirm")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(data["access"] + "$"))
            due = page.inner_text("#request-due")
            expect("15 working days" in due, f"the extended rule is shown: {due}")
            expect("Identity documents requested " + HOSTILE[1] in page.inner_text("main"), "the reason is shown as text")
            run.shot(page, "request-extended")
        run.flow("6. extend a deadline, from the keyboard alone", extend_by_keyboard)

        def answer_claim():
            page.goto(f"{BASE}/console/requests/{data['claim']}")
            text = page.inner_text("#claim-text")
            expect(text.startswith("Верните деньги за заказ SO-2.") and HOSTILE[1] in text, f"the claim's text is shown as text: {text!r}")
            expect("§8.2" in page.inner_text("#request-due"), "the due date names the policy's rule")
            expect(page.locator("button:has-text('Fulfil')").count() == 0, "a claim is not fulfilled")
            submit(page, "button:has-text('Record the answer')")
            expect(re.fullmatch(r"\d{4}-\d\d-\d\d", page.input_value("#answered_on")), "the day defaults to today")
            page.select_option("#channel", "post")
            run.shot(page, "confirm-answer")
            submit(page, "#confirm")
            expect(page.url.endswith(data["claim"]), "back on the claim's page")
            expect("answered" in page.inner_text("#request-status"), "the claim is answered")
            expect("post" in page.inner_text("#request-answer"), "the answer's channel is recorded")
            expect(sql(f"SELECT answer_channel FROM subject_requests WHERE id = '{data['claim']}'") == "post", "stored")
            run.shot(page, "request-claim-answered")
        run.flow("7. answer a pre-trial claim: its text shown, the day and channel of the answer recorded", answer_claim)

        def close_task():
            page.goto(f"{BASE}/console/tasks")
            expect(page.locator("#tasks tbody tr").count() == 1, "one open task for the vendor without an API")
            with page.expect_navigation():
                page.click(f"a[href='/console/tasks/{data['task']}']")
            text = page.inner_text("#task-text")
            expect("granted consent" in text and "analytics" in text and data["task"] in text, f"the text to send: {text!r}")
            expect("pseudonymous_id" in page.inner_text("#task-identities"), "the vendor knows the subject by a pseudonym only")
            expect("dpo@analytics.example" in page.inner_text("#task-contact"), "where to send it")
            default_time = page.input_value("#performed_at")
            page.fill("#reference", "MSG-2026-1")
            page.fill("#performed_at", "2099-01-01T10:00")
            submit(page, "button:has-text('Close with evidence')")
            expect("performed_at" in page.inner_text("#form-errors"), "evidence from the future is refused, naming the field")
            expect("Open" in page.inner_text("#task-status"), "the task stays open")
            page.fill("#performed_at", default_time)
            page.select_option("#method", "email")
            run.shot(page, "task")
            submit(page, "button:has-text('Close with evidence')")
            expect("Closed" in page.inner_text("#task-status"), "the task is closed")
            expect("MSG-2026-1" in page.inner_text("#task-evidence"), "with its evidence")
            expect(page.locator("#task-text").count() == 0, "the identities are gone once closed")
            expect(sql(f"SELECT status FROM consent_change_notices WHERE id = (SELECT consent_change_notice_id FROM manual_tasks WHERE id = '{data['task']}')")
                   == "delivered", "the notice counts as delivered")
            run.shot(page, "task-closed")
        run.flow("8. close a task for a recipient without an API with evidence", close_task, refused=(400,))

        def other_pages():
            for path, name in [("/console/cascades", "cascades"), ("/console/dashboard", "dashboard"), ("/console/settings", "settings")]:
                response = page.goto(BASE + path)
                expect(response.status == 200, f"{path} answers 200, not {response.status}")
                headers = response.headers
                expect(headers.get("content-security-policy", "").startswith("default-src 'self'"), f"{path} has the CSP")
                expect(headers.get("x-frame-options") == "DENY" and headers.get("referrer-policy") == "no-referrer"
                       and headers.get("x-content-type-options") == "nosniff", f"{path} has the security headers")
                run.shot(page, name)
            expect("Courier " + HOSTILE[1] in page.inner_text("main") and HOSTILE[0][:100] in page.inner_text("main"),
                   "the settings page shows a hostile recipient name and purpose title as text")
            with page.expect_navigation():
                page.click("a[lang=ru]")
            expect("Входящие" in page.inner_text("nav"), "the language switch shows Russian")
            run.shot(page, "settings-ru")
            with page.expect_navigation():
                page.click("a[lang=en]")
        run.flow("every page has its security headers; the language can be switched", other_pages)

        def edit_settings():
            import datetime
            today = datetime.date.today()
            saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
            monday = saturday + datetime.timedelta(days=2)
            if saturday.year != today.year:  # the page shows this year's calendar
                saturday, monday = saturday - datetime.timedelta(days=7), monday - datetime.timedelta(days=7)
            page.goto(BASE + "/console/settings")
            page.fill("#calendar-day", monday.isoformat())
            page.select_option("#calendar-kind", "working")
            submit(page, "form[action='/console/settings/calendar'] button")
            expect("only a Saturday or Sunday can be a working day" in page.inner_text("#settings-errors"), "a weekday cannot be a working day")
            page.fill("#calendar-day", saturday.isoformat())
            page.select_option("#calendar-kind", "working")
            page.fill("#calendar-note", "Transferred " + HOSTILE[2])
            submit(page, "form[action='/console/settings/calendar'] button")
            row = page.locator("#calendar tbody tr", has_text=saturday.isoformat())
            expect(row.count() == 1 and "Transferred " + HOSTILE[2] in row.inner_text(), "the working Saturday is listed with its note")
            submit(page, f"form[action='/console/settings/calendar/{saturday.isoformat()}/remove'] button")
            expect(page.locator("#calendar tbody tr", has_text=saturday.isoformat()).count() == 0, "and removed again")
            submit(page, "#recipients tr:has-text('sim-broken') button")
            expect("no" in page.locator("#recipients tr", has_text="sim-broken").inner_text().split(), "a recipient is switched off")
            expect(sql("SELECT count(*) FROM audit_log WHERE action LIKE 'calendar%' AND actor_kind = 'user'") == "2",
                   "each calendar change is audited under the user")
            with page.expect_navigation():
                page.click("#purposes a:has-text('hostile_test')")
            expect(page.input_value("#title") == HOSTILE[0][:100], "the edit form holds the hostile title as its value")
            page.fill("#retention_days", "45")
            page.check("input[name=kind_courier]")
            submit(page, "button:has-text('Save')")
            row = page.locator("#purposes tr", has_text="hostile_test")
            expect("45" in row.inner_text() and "courier" in row.inner_text(), f"the purpose is saved: {row.inner_text()}")
            with page.expect_navigation():
                page.click("#recipients a:has-text('sim-courier')")
            page.fill("#base_url", "ftp://127.0.0.1/")
            submit(page, "button:has-text('Save')")
            expect("base_url" in page.inner_text("#form-errors"), "a recipient's invalid base URL is refused, named")
            expect(sql("SELECT base_url FROM recipients WHERE code = 'sim-courier'") == os.environ["SIM_URL"], "and nothing changed")
            page.goto(BASE + "/console/settings/new-recipient")
            page.fill("#code", "console-made")
            page.fill("#name", "Registered in the console")
            page.select_option("#kind", "email_provider")
            page.fill("#base_url", os.environ["SIM_URL"])
            page.check("input[name=category_email]")
            submit(page, "button:has-text('Save')")
            expect(page.inner_text("#signing-secret").startswith("whsec_"), "a new recipient's signing secret is shown once")
            expect(sql("SELECT data_categories::text FROM recipients WHERE code = 'console-made'") == "{email}", "and it is registered")
            page.goto(BASE + "/console/settings/new-purpose")
            page.fill("#code", "console_survey")
            page.fill("#title", "Survey")
            page.select_option("#legal_basis", "consent")
            page.fill("#retention_days", "30")
            submit(page, "button:has-text('Save')")
            expect(sql("SELECT requires_consent FROM purposes WHERE code = 'console_survey'") == "t", "a consent purpose requires consent")
            page.goto(BASE + "/console/settings")
            page.fill("#consent-label", "consent-2026-12")
            page.fill("#consent-url", "https://shop.example/consent")
            page.fill("#consent-sha", "e" * 64)
            page.fill("#consent-effective", "2026-12-01")
            page.check("input[name=purpose_newsletter]")
            page.check("input[name=purpose_console_survey]")
            submit(page, "#add-consent-text")
            row = page.locator("#consent-texts tr", has_text="consent-2026-12")
            expect("console_survey, newsletter" in row.inner_text(), f"the consent text is registered with its purposes: {row.inner_text()}")
            run.shot(page, "settings-consent-texts")
        run.flow("configuration: a calendar day set (a wrong one refused) and removed, a recipient switched off, a purpose edited, "
                 "a recipient's bad URL refused, a recipient, a purpose and a consent text registered", edit_settings, refused=(400,))

        def csrf_refused():
            csrf = page.locator("input[name=csrf]").first.get_attribute("value")
            target = f"{BASE}/console/requests/{data['overdue']}/cancel"
            # The control: with its token and from the console's origin, the same form is let through (to the confirmation step).
            control = page.request.post(target, form={"csrf": csrf}, headers={"Origin": BASE}, max_redirects=0)
            expect(control.status == 200 and "Cancel this request" in control.text(), f"the control form passes: {control.status}")
            missing = page.request.post(target, form={"confirmed": "yes"}, headers={"Origin": BASE}, max_redirects=0)
            expect(missing.status == 403 and "security token or origin" in missing.text(),
                   f"a form without its CSRF token is refused: {missing.status}")
            foreign = page.request.post(target, form={"confirmed": "yes", "csrf": csrf}, headers={"Origin": "https://evil.example"},
                                        max_redirects=0)
            expect(foreign.status == 403, f"a form from another origin is refused: {foreign.status}")
            expect(sql(f"SELECT status FROM subject_requests WHERE id = '{data['overdue']}'") == "received", "nothing changed")
        run.flow("refusal: a form without its CSRF token, or from another origin", csrf_refused)

        def viewer_cannot_act():
            viewer = browser.new_context(locale="en-US")
            viewer_page = run.watch(viewer.new_page())
            enrol(run, viewer_page, os.environ["VIEWER_LINK"], with_totp=False)
            log_in(viewer_page, "viewer@example.com")
            expect(viewer_page.url.endswith("/console/inbox"), "the viewer logs in without TOTP")
            viewer_page.goto(f"{BASE}/console/requests/{data['overdue']}")
            expect(viewer_page.locator("button:has-text('Cancel')").count() == 0, "a viewer sees no actions")
            csrf = viewer_page.locator("input[name=csrf]").first.get_attribute("value")
            forced = viewer_page.request.post(f"{BASE}/console/requests/{data['overdue']}/cancel",
                                              form={"confirmed": "yes", "csrf": csrf}, headers={"Origin": BASE}, max_redirects=0)
            expect(forced.status == 403 and "may only look" in forced.text(), f"a viewer's action is refused for the role: {forced.status}")
            expect(sql(f"SELECT status FROM subject_requests WHERE id = '{data['overdue']}'") == "received", "nothing changed")
            viewer.close()
        run.flow("refusal: a viewer trying to act", viewer_cannot_act)

        def throttled():
            other = browser.new_context(locale="en-US")
            other_page = run.watch(other.new_page())
            for _ in range(5):
                log_in(other_page, "nobody@example.com")
                expect("Wrong e-mail, password or code" in other_page.inner_text("main"), "a wrong password is refused")
            log_in(other_page, "nobody@example.com")
            expect("Too many failed attempts" in other_page.inner_text("main"), "the sixth attempt is throttled")
            run.shot(other_page, "login-throttled")
            other.close()
        run.flow("refusal: throttling after repeated failures", throttled, refused=(401, 429))

        def expired():
            sql("UPDATE console_sessions SET last_seen_at = now() - interval '31 minutes' WHERE ended_at IS NULL")
            page.goto(BASE + "/console/inbox")
            expect(page.url.endswith("/console/login"), f"an expired session goes to the login page, not {page.url}")
            run.shot(page, "login")
        run.flow("refusal: an expired session", expired)

        browser.close()
    print(f"browser: {run.passed} passed, {len(run.failures)} failed", flush=True)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
