#!/usr/bin/env python3
"""The README's tour, through a Python client generated from openapi.yaml by openapi-python-client (run by
scripts/clients, which generates the client, installs it and starts PartnerSim, `custodian serve` and `custodian
work` on a fresh database).

Every call goes through the generated package `custodian_api_client`: no HTTP of its own. A shop key does what the
shop backend does (subject, consents, order, hand-over to the courier, polling the shipment); a dpo key registers the
partners and the published documents and works the subject's requests (access export, erasure). Each step asserts
the status and the key fields of the parsed answer, and that the answer parsed into the model the spec names with no
member the spec does not declare and no null where the spec allows none. Prints `ok - STEP` per step, `not ok - STEP`
and the reason at the first failure, then `scenario: N passed, M failed`; exit status 0 only when all passed.

Environment: BASE_URL (the API), SHOP_KEY and DPO_KEY (API keys of those scopes), SIM_URL and SIM_SECRET (PartnerSim's
address and its Standard Webhooks secret), CLIENT_POLL_SECONDS (how long to wait for the worker, default 30).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sys
import time
import uuid
from typing import Any, Callable

import attrs

from custodian_api_client import AuthenticatedClient
from custodian_api_client.api.audit import list_audit_events
from custodian_api_client.api.consents import get_consents, record_consent_event
from custodian_api_client.api.erasure import get_erasure_cascade
from custodian_api_client.api.orders import create_order, create_shipment, get_order, get_shipment, list_transfers
from custodian_api_client.api.purposes import create_consent_text, create_policy_version
from custodian_api_client.api.recipients import create_recipient
from custodian_api_client.api.subject_requests import (
    create_subject_request,
    fulfil_subject_request,
    get_subject_request,
    get_subject_request_export,
)
from custodian_api_client.api.subjects import create_subject, get_subject, list_subjects
from custodian_api_client.models import (
    AuditEventPage,
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentEventCreate,
    ConsentEvidenceType0,
    ConsentOverview,
    ConsentStateState,
    ConsentText,
    ConsentTextCreate,
    CreatedRecipient,
    DataCategory,
    DeliveryBlock,
    ErasureCascade,
    ErasureCascadeStatus,
    ErasureRequestStatus,
    Order,
    OrderCreate,
    OrderItem,
    OrderStatus,
    PolicyVersion,
    PolicyVersionCreate,
    Problem,
    RecipientCreate,
    RecipientKind,
    Shipment,
    ShipmentCreate,
    ShipmentStatus,
    Subject,
    SubjectCreate,
    SubjectExport,
    SubjectPage,
    SubjectRequest,
    SubjectRequestChannel,
    SubjectRequestCreate,
    SubjectRequestGround,
    SubjectRequestKind,
    SubjectRequestRegime,
    SubjectRequestStatus,
    SubjectStatus,
    TransferList,
)
from custodian_api_client.types import UNSET, Response

PASSED = 0
FAILED = 0
STEP = "setup"


class StepFailed(Exception):
    pass


def step(name: str) -> None:
    """Names the step that the following calls belong to (in a `not ok` line)."""
    global STEP
    STEP = name


def ok(name: str) -> None:
    global PASSED
    PASSED += 1
    print(f"ok - {name}", flush=True)


def expect(condition: bool, why: str) -> None:
    if not condition:
        raise StepFailed(why)


def _undeclared(value: Any, path: str) -> list[str]:
    """Members of a parsed answer that the spec does not declare (kept by the model in additional_properties), and
    nulls in members whose schema allows none: both would mean the server and openapi.yaml disagree."""
    found: list[str] = []
    if attrs.has(type(value)):
        # JobPayload is the one free-form map of the spec; every other object lists its members.
        if type(value).__name__ != "JobPayload":
            found += [f"{path}.{key} (undeclared)" for key in getattr(value, "additional_properties", {})]
        for field in attrs.fields(type(value)):
            if field.name == "additional_properties":
                continue
            member = getattr(value, field.name)
            if member is None and "None" not in str(field.type):
                found.append(f"{path}.{field.name} (null, schema {field.type})")
            found += _undeclared(member, f"{path}.{field.name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _undeclared(item, f"{path}[{index}]")
    return found


def _problem(response: Response[Any]) -> str:
    parsed = response.parsed
    if isinstance(parsed, Problem):
        errors = ""
        if parsed.errors:
            errors = "; " + ", ".join(f"{e.field}: {e.message}" for e in parsed.errors)
        return f"{parsed.type_} {parsed.title}: {parsed.detail}{errors}"
    return response.content[:300].decode("utf-8", "replace")


def call(what: str, operation: Any, status: int, model: type, **kwargs: Any) -> Any:
    """Calls operation.sync_detailed(**kwargs) and checks the status, the parsed model and its members."""
    response = operation.sync_detailed(**kwargs)
    expect(int(response.status_code) == status,
           f"{what}: HTTP {int(response.status_code)}, expected {status} — {_problem(response)}")
    expect(isinstance(response.parsed, model),
           f"{what}: parsed as {type(response.parsed).__name__}, expected {model.__name__}")
    expect(response.headers.get("X-Request-Id"), f"{what}: no X-Request-Id header")
    if status == 201:
        expect(response.headers.get("Location"), f"{what}: 201 without the Location header the spec requires")
    extra = _undeclared(response.parsed, model.__name__)
    expect(not extra, f"{what}: the answer disagrees with openapi.yaml: {', '.join(extra)}")
    return response.parsed


def poll(what: str, fetch: Callable[[], Any], done: Callable[[Any], bool], seconds: float) -> Any:
    """Calls fetch until done(result) or seconds pass; returns the last result."""
    deadline = time.monotonic() + seconds
    while True:
        result = fetch()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise StepFailed(f"{what}: not done after {seconds:.0f} s; last state: {result!r:.600}")
        time.sleep(0.2)


def main() -> int:
    base_url = os.environ["BASE_URL"]
    sim_url = os.environ["SIM_URL"]
    sim_secret = os.environ["SIM_SECRET"]
    wait = float(os.environ.get("CLIENT_POLL_SECONDS", "30"))
    timeout = 15.0
    # raise_on_unexpected_status: a status the spec does not list for the operation is an error, not a None.
    shop = AuthenticatedClient(base_url=base_url, token=os.environ["SHOP_KEY"], timeout=timeout,
                               raise_on_unexpected_status=True)
    dpo = AuthenticatedClient(base_url=base_url, token=os.environ["DPO_KEY"], timeout=timeout,
                              raise_on_unexpected_status=True)
    run = uuid.uuid4().hex[:8]
    now = lambda: datetime.datetime.now(datetime.timezone.utc)  # noqa: E731 — RFC 3339 needs the offset
    since = datetime.datetime(2025, 9, 1, tzinfo=datetime.timezone.utc)

    # --- The DPO's setup: PartnerSim as courier and e-mail provider, a policy version and a consent text ---------

    step("dpo: createRecipient (PartnerSim as courier and e-mail provider)")
    courier_code, mail_code = f"sim-courier-{run}", f"sim-mail-{run}"
    for code, kind, categories in (
        (courier_code, RecipientKind.COURIER, [DataCategory.FULL_NAME, DataCategory.PHONE, DataCategory.DELIVERY_ADDRESS]),
        (mail_code, RecipientKind.EMAIL_PROVIDER, [DataCategory.FULL_NAME, DataCategory.EMAIL]),
    ):
        created = call(f"createRecipient {code}", create_recipient, 201, CreatedRecipient, client=dpo,
                       body=RecipientCreate(code=code, name=f"PartnerSim ({kind.value})", kind=kind, country="RU",
                                            country_adequate=True, base_url=sim_url, signing_secret=sim_secret,
                                            data_categories=categories))
        expect(created.recipient.code == code and created.recipient.kind == kind and created.recipient.active,
               f"recipient {code}: {created.recipient!r}")
        expect(created.signing_secret == sim_secret, "the signing secret echoed is not the one registered")
        expect(sorted(c.value for c in created.recipient.data_categories) == sorted(c.value for c in categories),
               f"data categories {created.recipient.data_categories}")
    ok("dpo: createRecipient registers PartnerSim as courier and e-mail provider (201)")

    step("dpo: createPolicyVersion and createConsentText")
    sha = hashlib.sha256(f"policy {run}".encode()).hexdigest()
    policy = call("createPolicyVersion", create_policy_version, 201, PolicyVersion, client=dpo,
                  body=PolicyVersionCreate(label=f"policy-{run}", url=f"https://shop.example/privacy/{run}",
                                           text_sha256=sha, effective_at=since))
    expect(policy.label == f"policy-{run}" and policy.effective_at == since, f"policy version {policy!r}")
    text = call("createConsentText", create_consent_text, 201, ConsentText, client=dpo,
                body=ConsentTextCreate(label=f"consent-{run}", url=f"https://shop.example/consent/{run}",
                                       text_sha256=sha, effective_at=since,
                                       purposes=["newsletter", "personalised_offers"]))
    expect(sorted(text.purposes) == ["newsletter", "personalised_offers"], f"consent text {text!r}")
    ok("dpo: createPolicyVersion and createConsentText (201)")

    # --- The shop: a customer, her consents, an order, the hand-over to the courier -------------------------------

    step("shop: a dpo operation is refused")
    refused = call("createSubjectRequest with a shop key", create_subject_request, 403, Problem, client=shop,
                   body=SubjectRequestCreate(kind=SubjectRequestKind.ACCESS, regime=SubjectRequestRegime.FZ152,
                                             channel=SubjectRequestChannel.EMAIL, received_at=now(),
                                             subject_id=str(uuid.uuid4())))
    expect(refused.status == 403, f"problem {refused!r}")
    ok("shop: a dpo operation is refused with 403 problem+json, parsed as Problem")

    step("shop: createSubject")
    email = f"anna.{run}@example.com"
    subject = call("createSubject", create_subject, 201, Subject, client=shop,
                   body=SubjectCreate(external_ref=f"c-{run}", full_name="Anna Ivanova", email=email,
                                      phone="8 916 123-45-67", locale="ru-RU"),
                   idempotency_key=f"subject-{run}")
    expect(subject.status == SubjectStatus.ACTIVE, f"status {subject.status}")
    expect(subject.phone == "+79161234567", f"phone {subject.phone!r} is not the E.164 form")
    expect(subject.email == email and subject.has_account is True, f"subject {subject!r}")
    ok("shop: createSubject (201, active, phone stored as E.164)")

    step("shop: createSubject replayed with its Idempotency-Key")
    # The same request with the same Idempotency-Key replays the first answer.
    replay = create_subject.sync_detailed(client=shop, idempotency_key=f"subject-{run}",
                                          body=SubjectCreate(external_ref=f"c-{run}", full_name="Anna Ivanova",
                                                             email=email, phone="8 916 123-45-67", locale="ru-RU"))
    expect(int(replay.status_code) == 201 and isinstance(replay.parsed, Subject) and replay.parsed.id == subject.id,
           f"replay: HTTP {int(replay.status_code)} — {_problem(replay)}")
    expect(replay.headers.get("Idempotent-Replayed") == "true", "no Idempotent-Replayed: true on the replay")
    ok("shop: createSubject again with the same Idempotency-Key replays the answer")

    step("shop: getSubject and listSubjects")
    read = call("getSubject", get_subject, 200, Subject, client=shop, subject_id=subject.id)
    expect(read.external_ref == f"c-{run}" and read.full_name == "Anna Ivanova" and read.email == email,
           f"subject {read!r}")
    found = call("listSubjects by e-mail", list_subjects, 200, SubjectPage, client=shop, email=email.upper())
    expect([s.id for s in found.items] == [subject.id], f"lookup by e-mail found {[s.id for s in found.items]}")
    ok("shop: getSubject and listSubjects(email=…) find her")

    step("shop: recordConsentEvent and getConsents")
    for purpose in ("newsletter", "personalised_offers"):
        event = call(f"recordConsentEvent {purpose}", record_consent_event, 201, ConsentEvent, client=shop,
                     subject_id=subject.id,
                     body=ConsentEventCreate(purpose=purpose, action=ConsentAction.GRANT, policy_version=policy.label,
                                             consent_text=text.label, channel=ConsentChannel.WEB_FORM,
                                             evidence=ConsentEvidenceType0(ip_address="203.0.113.7",
                                                                           user_agent="scenario.py")))
        expect(event.action == ConsentAction.GRANT and event.purpose == purpose and event.subject_id == subject.id,
               f"event {event!r}")
        expect(event.consent_text == text.label and event.policy_version == policy.label, f"event {event!r}")
        expect(event.evidence.ip_address == "203.0.113.0", f"IP {event.evidence.ip_address!r} is not truncated to /24")
    overview = call("getConsents", get_consents, 200, ConsentOverview, client=shop, subject_id=subject.id)
    states = {state.purpose: state.state for state in overview.current}
    expect(states.get("newsletter") == ConsentStateState.GRANTED
           and states.get("personalised_offers") == ConsentStateState.GRANTED
           and states.get("analytics") == ConsentStateState.NEVER_ASKED, f"consent states {states}")
    expect(len(overview.history) == 2, f"{len(overview.history)} events in the history")
    ok("shop: recordConsentEvent grants newsletter and personalised_offers; getConsents shows them granted")

    step("shop: createOrder")
    order = call("createOrder", create_order, 201, Order, client=shop,
                 body=OrderCreate(subject_id=subject.id, external_ref=f"o-{run}", currency="RUB", total_minor=90000,
                                  items=[OrderItem(sku="MUG-1", name="Mug", quantity=2, unit_price_minor=45000)],
                                  delivery=DeliveryBlock(recipient_name="Anna Ivanova", phone="+79161234567",
                                                         address_lines=["Tverskaya 1, apt 5"], city="Moscow",
                                                         postal_code="125009", country="RU")))
    expect(order.subject_id == subject.id and order.total_minor == 90000 and order.currency == "RUB",
           f"order {order!r}")
    expect(order.delivery.city == "Moscow" and order.delivery.address_lines == ["Tverskaya 1, apt 5"],
           f"delivery {order.delivery!r}")
    expect([(i.sku, i.quantity) for i in order.items] == [("MUG-1", 2)], f"items {order.items!r}")
    ok(f"shop: createOrder (201, status {order.status.value})")

    step("shop: createShipment")
    shipment = call("createShipment", create_shipment, 201, Shipment, client=shop, order_id=order.id,
                    body=ShipmentCreate(courier=courier_code))
    expect(shipment.status == ShipmentStatus.PENDING and shipment.courier == courier_code and shipment.order_id == order.id,
           f"shipment {shipment!r}")
    ok("shop: createShipment hands the order to the courier (201, pending)")

    step("worker: the courier transfer (polling getShipment)")
    sent = poll("the courier transfer",
                lambda: call("getShipment", get_shipment, 200, Shipment, client=shop, order_id=order.id,
                             shipment_id=shipment.id),
                lambda s: s.status != ShipmentStatus.PENDING, wait)
    expect(sent.status == ShipmentStatus.SENT, f"shipment {sent.status.value}: {sent.failure_reason}")
    expect(isinstance(sent.tracking_reference, str) and sent.tracking_reference, "no tracking reference")
    ok(f"worker: the shipment is sent, tracking reference {sent.tracking_reference} (polled getShipment)")

    step("dpo: listTransfers")
    placed = call("getOrder", get_order, 200, Order, client=shop, order_id=order.id)
    expect(placed.id == order.id and placed.status != OrderStatus.CANCELLED, f"order {placed!r}")
    transfers = call("listTransfers", list_transfers, 200, TransferList, client=dpo, subject_id=subject.id)
    courier_transfers = [t for t in transfers.items if t.recipient == courier_code]
    expect(len(courier_transfers) == 1, f"transfers {[(t.recipient, t.purpose) for t in transfers.items]}")
    transfer = courier_transfers[0]
    expect(transfer.shipment_id == shipment.id and transfer.order_id == order.id and transfer.purpose == "delivery",
           f"transfer {transfer!r}")
    expect(sorted(c.value for c in transfer.data_categories) == ["delivery_address", "full_name", "phone"],
           f"categories {transfer.data_categories}")
    ok("dpo: listTransfers logs the hand-over (courier, purpose delivery, its categories)")

    # --- The DPO: an access request and its export ----------------------------------------------------------------

    step("dpo: createSubjectRequest access")
    access = call("createSubjectRequest access", create_subject_request, 201, SubjectRequest, client=dpo,
                  body=SubjectRequestCreate(kind=SubjectRequestKind.ACCESS, regime=SubjectRequestRegime.FZ152,
                                            channel=SubjectRequestChannel.EMAIL, received_at=now(), email=email))
    expect(access.status == SubjectRequestStatus.RECEIVED and access.subject_id == subject.id, f"request {access!r}")
    expect(access.due_on >= access.received_on and access.due_rule and not access.overdue, f"deadline {access!r}")
    ok(f"dpo: createSubjectRequest access by e-mail (201, received, due {access.due_on}: {access.due_rule})")

    step("dpo: fulfilSubjectRequest access")
    fulfilled = call("fulfilSubjectRequest access", fulfil_subject_request, 200, SubjectRequest, client=dpo,
                     request_id=access.id)
    expect(fulfilled.status == SubjectRequestStatus.COMPLETED, f"status {fulfilled.status.value}")
    expect(isinstance(fulfilled.export_sha256, str) and len(fulfilled.export_sha256) == 64,
           f"export_sha256 {fulfilled.export_sha256!r}")
    ok("dpo: fulfilSubjectRequest completes the access request with export_sha256")

    step("dpo: getSubjectRequestExport")
    export = call("getSubjectRequestExport", get_subject_request_export, 200, SubjectExport, client=dpo,
                  request_id=access.id)
    expect(export.format_ == "custodian-subject-export/1", f"format {export.format_!r}")
    expect(export.subject.id == str(subject.id) and export.subject.email == email
           and export.subject.full_name == "Anna Ivanova" and export.subject.phone == "+79161234567",
           f"export subject {export.subject!r}")
    expect([o.external_ref for o in export.orders] == [f"o-{run}"], f"orders {export.orders!r}")
    expect(export.orders[0].delivery.city == "Moscow" and export.orders[0].items[0].sku == "MUG-1",
           f"order {export.orders[0]!r}")
    granted = {s.purpose for s in export.consent_state if s.state == "granted"}
    expect(granted == {"newsletter", "personalised_offers"}, f"consent state {export.consent_state!r}")
    expect(len(export.consent_history) == 2, f"history {export.consent_history!r}")
    expect(any(t.recipient == courier_code and t.purpose == "delivery" and t.order_id == str(order.id)
               for t in export.transfers), f"transfers {export.transfers!r}")
    expect(any(r.id == str(access.id) and r.kind == "access" for r in export.subject_requests),
           f"requests {export.subject_requests!r}")
    expect({"delivery", "newsletter"} <= {p.code for p in export.purposes}, f"purposes {export.purposes!r}")
    ok("dpo: getSubjectRequestExport returns profile, order, consents, transfers, requests and purposes")

    # --- The DPO: erasure -----------------------------------------------------------------------------------------

    step("dpo: createSubjectRequest erasure")
    erasure = call("createSubjectRequest erasure", create_subject_request, 201, SubjectRequest, client=dpo,
                   body=SubjectRequestCreate(kind=SubjectRequestKind.ERASURE, regime=SubjectRequestRegime.FZ152,
                                             ground=SubjectRequestGround.CONSENT_WITHDRAWN,
                                             channel=SubjectRequestChannel.EMAIL, received_at=now(),
                                             subject_id=str(subject.id)))
    expect(erasure.status == SubjectRequestStatus.RECEIVED and erasure.subject_id == subject.id
           and erasure.ground == SubjectRequestGround.CONSENT_WITHDRAWN, f"request {erasure!r}")
    ok(f"dpo: createSubjectRequest erasure (201, received, due {erasure.due_on}: {erasure.due_rule})")

    step("dpo: fulfilSubjectRequest erasure")
    started = call("fulfilSubjectRequest erasure", fulfil_subject_request, 200, SubjectRequest, client=dpo,
                   request_id=erasure.id)
    expect(started.status in (SubjectRequestStatus.IN_PROGRESS, SubjectRequestStatus.COMPLETED),
           f"status {started.status.value}")
    expect(started.fulfilled_at is not UNSET, f"no fulfilled_at: {started!r}")
    ok(f"dpo: fulfilSubjectRequest erases (200, {started.status.value})")

    step("worker: the erasure cascade")
    done = poll("the erasure request",
                lambda: call("getSubjectRequest", get_subject_request, 200, SubjectRequest, client=dpo,
                             request_id=erasure.id),
                lambda r: r.status != SubjectRequestStatus.IN_PROGRESS, wait)
    expect(done.status == SubjectRequestStatus.COMPLETED, f"status {done.status.value}: {done.erasure_cascade!r}")
    cascade = done.erasure_cascade
    expect(cascade is not UNSET and cascade.status == ErasureCascadeStatus.COMPLETED, f"cascade {cascade!r}")
    confirmed = {r.recipient: r.status for r in cascade.requests}
    expect(confirmed == {courier_code: ErasureRequestStatus.COMPLETED, mail_code: ErasureRequestStatus.COMPLETED},
           f"cascade requests {confirmed}")
    expect(done.history is not UNSET and [e.status for e in done.history][-1] == SubjectRequestStatus.COMPLETED,
           f"history {done.history!r}")
    record = done.destruction_record
    expect(record is not UNSET and record.subject_id == subject.id and record.request_id == erasure.id,
           f"destruction record {record!r}")
    expect(record.orders_depersonalised == 1 and record.consents_withdrawn == 2
           and sorted(record.recipients) == sorted([courier_code, mail_code]), f"destruction record {record!r}")
    ok("worker: both recipients confirmed the OpenDSR erasure; getSubjectRequest shows it completed with its "
       f"destruction record ({', '.join(record.data_categories)})")

    step("dpo: the subject reads as erased")
    latest = call("getErasureCascade", get_erasure_cascade, 200, ErasureCascade, client=dpo, subject_id=subject.id)
    expect(latest.id == cascade.id and latest.status == ErasureCascadeStatus.COMPLETED, f"cascade {latest!r}")
    erased = call("getSubject after erasure", get_subject, 200, Subject, client=dpo, subject_id=subject.id)
    expect(erased.status == SubjectStatus.ERASED, f"status {erased.status.value}")
    expect(erased.full_name is UNSET and erased.email is UNSET and erased.phone is UNSET
           and erased.registration_address is UNSET, f"erased subject still has personal data: {erased!r}")
    expect(erased.external_ref == f"c-{run}", f"external_ref {erased.external_ref!r} not kept")
    order_after = call("getOrder after erasure", get_order, 200, Order, client=dpo, order_id=order.id)
    expect(order_after.total_minor == 90000 and order_after.delivery.recipient_name is UNSET
           and order_after.delivery.phone is UNSET, f"order after erasure {order_after!r}")
    gone = call("listSubjects by the erased e-mail", list_subjects, 200, SubjectPage, client=shop, email=email)
    expect(gone.items == [], f"the erased e-mail still finds {[s.id for s in gone.items]}")
    ok("dpo: the subject reads as erased (no name, e-mail or phone), its order depersonalised, the e-mail finds nobody")

    step("dpo: listAuditEvents")
    trail = call("listAuditEvents", list_audit_events, 200, AuditEventPage, client=dpo, subject_id=subject.id, limit=200)
    actions = [event.action for event in trail.items]
    expect({"subject.create", "subject.read"} <= set(actions), f"actions {actions}")
    expect(all(event.subject_id == subject.id for event in trail.items), "a row of another subject in the trail")
    expect(any(event.actor_kind.value == "api_key" for event in trail.items), f"actors {[e.actor_kind for e in trail.items]}")
    ok(f"dpo: listAuditEvents gives the subject's trail ({len(actions)} rows: {', '.join(sorted(set(actions)))})")

    step("shop: an erased subject takes no consent")
    refused = call("recordConsentEvent on an erased subject", record_consent_event, 409, Problem, client=shop,
                   subject_id=subject.id,
                   body=ConsentEventCreate(purpose="newsletter", action=ConsentAction.GRANT,
                                           policy_version=policy.label, consent_text=text.label,
                                           channel=ConsentChannel.API))
    expect(refused.type_.endswith("subject-erased"), f"problem {refused!r}")
    ok("shop: an erased subject takes no consent (409 subject-erased)")
    return 0


if __name__ == "__main__":
    status = 1
    try:
        status = main()
    except StepFailed as failure:
        FAILED += 1
        print(f"not ok - {STEP}\n#   {failure}", flush=True)
    except Exception as error:  # a model that cannot parse an answer, a transport error, an undocumented status
        FAILED += 1
        print(f"not ok - {STEP}\n#   {type(error).__name__}: {error}", flush=True)
        import traceback

        traceback.print_exc(file=sys.stdout)
    print(f"scenario: {PASSED} passed, {FAILED} failed", flush=True)
    sys.exit(0 if status == 0 and FAILED == 0 else 1)
