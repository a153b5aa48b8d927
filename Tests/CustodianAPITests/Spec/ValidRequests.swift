import CustodianAPI
import CustodianCore
import CustodianPortal
import Foundation
import HTTPTypes
import PostgresNIO

/// A request the API accepts: the base that security tests change one member of at a time.
struct ValidRequest {
    let method: HTTPRequest.Method
    let path: String
    /// The bearer key; nil for the signed erasure callback.
    let key: String?
    var body: [String: Any]
    /// Signs the body as a recipient's Standard Webhooks callback.
    var signedWith: StandardWebhooksSecret?
}

/// What valid requests build on: keys, a courier and an e-mail provider, a policy version and a purpose. Each call of
/// `request(for:number:)` makes fresh unique values and, where the operation acts on a resource, a fresh resource, so
/// one request's outcome never decides the next one's.
struct ValidRequests {
    /// Every operation with a JSON request body (the spec decides; a test checks this list against it).
    static let operationIDs = [
        "createSubject", "updateSubject", "recordConsentEvent", "createOrder", "updateOrder", "createRecipient", "updateRecipient",
        "createShipment", "startErasureCascade", "receiveErasureCallback", "createPurpose", "updatePurpose", "createSubjectRequest",
        "extendSubjectRequest", "denySubjectRequest", "answerSubjectRequest", "setCalendarDay", "createPolicyVersion", "createConsentText",
        "closeManualTask",
    ]
    /// Response members that echo a request member under another name (operation id and member path as keys).
    static let echoedAs = [
        "extendSubjectRequest reason": "extension_reason", "denySubjectRequest reason": "denial_reason",
        "denySubjectRequest explanation": "denial_explanation", "answerSubjectRequest channel": "answer_channel",
    ]
    /// Request members no response repeats, and why.
    static let notEchoed: [String: String] = [
        "createRecipient api_token": "a credential: stored, never returned",
        "updateRecipient api_token": "a credential: stored, never returned",
        "createSubjectRequest corrections.full_name": "corrections are applied at fulfilment, not shown",
        "createSubjectRequest corrections.email": "corrections are applied at fulfilment, not shown",
        "createSubjectRequest corrections.phone": "corrections are applied at fulfilment, not shown",
        "createSubjectRequest corrections.registration_address": "corrections are applied at fulfilment, not shown",
        "createSubjectRequest email": "an identity finds the subject; the request does not repeat it",
        "createSubjectRequest phone": "an identity finds the subject; the request does not repeat it",
        "createSubjectRequest external_ref": "an identity finds the subject; the request does not repeat it",
        "receiveErasureCallback controller_id": "the callback is answered without a body",
        "receiveErasureCallback expected_completion_time": "the callback is answered without a body",
        "receiveErasureCallback request_status": "the callback is answered without a body",
        "receiveErasureCallback status_callback_url": "the callback is answered without a body",
        "receiveErasureCallback subject_request_id": "the callback is answered without a body",
    ]

    /// The base body made fit for a value in `member`: a subject request names its subject one way only, and only an
    /// objection names purposes.
    static func prepared(_ body: [String: Any], for operationID: String, member: String) -> [String: Any] {
        guard operationID == "createSubjectRequest" else { return body }
        var body = body
        let identities = ["email": "someone@example.com", "phone": "+79030000000", "external_ref": "someone"]
        if let identity = identities[member] {
            body["subject_id"] = nil
            body[member] = identity
        }
        if member == "purposes[]" {
            body["kind"] = "objection"
            body["corrections"] = nil
            body["purposes"] = ["newsletter"]
        }
        return body
    }

    /// The API configuration these requests need (recipients on `*.example` hosts are fine, nothing is called).
    static let configuration = APIConfiguration(
        outboundPolicy: OutboundAddressPolicy(allowedHosts: ["127.0.0.1"]),
        portal: PortalConfiguration(unsubscribeKeys: UnsubscribeKeyring(current: UnsubscribeKey(setting: "t1:" + String(repeating: "A", count: 44))!)))
    static let mailSecret = StandardWebhooksSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!

    let app: TestApp
    let shop: String
    let dpo: String
    let recipientID: String
    /// A recipient without an API, whose tasks `closeManualTask` closes.
    let manualRecipientID: String

    static func prepare(_ app: TestApp) async throws -> ValidRequests {
        let dpo = try await app.key(.dpo)
        let shop = try await app.key(.shop)
        var recipientID = ""
        for (code, kind) in [("courier-a", "courier"), ("mail", "email_provider")] {
            let response = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"\(code)","name":"\(code)","kind":"\(kind)","base_url":"https://\(code).example","signing_secret":"\(mailSecret.text)",
                 "country":"RU","country_adequate":true,"data_categories":["full_name","email","phone","delivery_address"]}
                """)
            guard response.status == .created else { throw TestFailure("recipient \(code): \(response.status)") }
            recipientID = try (response.jsonObject()["recipient"] as? [String: Any])?["id"] as? String ?? ""
        }
        let manual = try await app.request(.post, "/v1/recipients", key: dpo, json: """
            {"code":"vendor","name":"Vendor","kind":"other","delivery_mode":"manual","contact":"privacy@vendor.example","language":"en",
             "country":"RU","country_adequate":true,"data_categories":["email"]}
            """)
        guard manual.status == .created else { throw TestFailure("manual recipient: \(manual.status) \(manual.text)") }
        let manualRecipientID = try (manual.jsonObject()["recipient"] as? [String: Any])?["id"] as? String ?? ""
        let fixtures = [
            ("/v1/policy-versions", """
             {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "a", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
             """),
            ("/v1/purposes", #"{"code":"fixture_purpose","title":"Fixture","legal_basis":"contract","retention_days":30}"#),
            // Registered consent texts make every grant name one.
            ("/v1/consent-texts", """
             {"label":"consent-v1","url":"https://shop.example/consent","text_sha256":"\(String(repeating: "b", count: 64))",
              "effective_at":"2020-01-01T00:00:00Z","purposes":["newsletter"]}
             """),
        ]
        for (path, body) in fixtures {
            let response = try await app.request(.post, path, key: dpo, json: body)
            guard response.status == .created else { throw TestFailure("\(path): \(response.status) \(response.text)") }
        }
        return ValidRequests(app: app, shop: shop, dpo: dpo, recipientID: recipientID, manualRecipientID: manualRecipientID)
    }

    func request(for operationID: String, number n: Int) async throws -> ValidRequest {
        switch operationID {
        case "createSubject":
            return ValidRequest(method: .post, path: "/v1/subjects", key: shop, body: subjectBody(n))
        case "updateSubject":
            return ValidRequest(method: .patch, path: "/v1/subjects/\(try await subject(n))", key: shop, body: subjectBody(n + 500_000))
        case "recordConsentEvent":
            return ValidRequest(method: .post, path: "/v1/subjects/\(try await subject(n))/consents", key: shop, body: [
                "purpose": "newsletter", "action": "grant", "policy_version": "v1", "consent_text": "consent-v1", "channel": "web_form",
                "occurred_at": Date().addingTimeInterval(-60).formatted(.iso8601),
                "evidence": ["ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (X11)", "form_id": "signup-\(n)"],
            ])
        case "createOrder":
            return ValidRequest(method: .post, path: "/v1/orders", key: shop, body: orderBody(subjectID: try await subject(n), n))
        case "updateOrder":
            return ValidRequest(method: .patch, path: "/v1/orders/\(try await order(n))", key: shop, body: ["status": "paid"])
        case "createRecipient":
            return ValidRequest(method: .post, path: "/v1/recipients", key: dpo, body: [
                "code": "recipient-\(n)", "name": "Recipient \(n)", "kind": "courier", "base_url": "https://recipient-\(n).example",
                "api_token": "token-\(n)", "country": "RU", "country_adequate": true, "data_categories": ["full_name"],
            ])
        case "updateRecipient":
            return ValidRequest(method: .patch, path: "/v1/recipients/\(recipientID)", key: dpo, body: [
                "name": "Mail \(n)", "base_url": "https://mail.example", "api_token": "token-\(n)", "country": "RU",
                "data_categories": ["full_name", "email", "phone", "delivery_address"],
            ])
        case "createShipment":
            return ValidRequest(method: .post, path: "/v1/orders/\(try await order(n))/shipments", key: shop, body: ["courier": "courier-a"])
        case "startErasureCascade":
            return ValidRequest(method: .post, path: "/v1/subjects/\(try await subject(n, newsletter: true))/erasure-cascade", key: dpo,
                                body: ["regulation": "gdpr"])
        case "receiveErasureCallback":
            var request = ValidRequest(method: .post, path: "/v1/callbacks/erasure", key: nil, body: [
                "subject_request_id": try await erasureRequest(n), "request_status": "completed", "controller_id": "custodian",
                "expected_completion_time": Date().addingTimeInterval(3600).formatted(.iso8601),
            ])
            request.signedWith = Self.mailSecret
            return request
        case "createPurpose":
            return ValidRequest(method: .post, path: "/v1/purposes", key: dpo, body: [
                "code": "purpose_\(n)", "title": "Purpose \(n)", "description": "What it is for", "legal_basis": "contract",
                "retention_days": 30, "recipient_kinds": ["courier"], "data_categories": ["full_name"],
            ])
        case "updatePurpose":
            return ValidRequest(method: .patch, path: "/v1/purposes/fixture_purpose", key: dpo, body: [
                "title": "Fixture \(n)", "description": "Still a fixture", "recipient_kinds": ["courier"], "data_categories": ["full_name"],
            ])
        case "createSubjectRequest":
            return ValidRequest(method: .post, path: "/v1/subject-requests", key: dpo, body: subjectRequestBody(subjectID: try await subject(n), n))
        case "extendSubjectRequest":
            return ValidRequest(method: .post, path: "/v1/subject-requests/\(try await subjectRequest(n))/extend", key: dpo,
                                body: ["reason": "Many systems to search"])
        case "denySubjectRequest":
            return ValidRequest(method: .post, path: "/v1/subject-requests/\(try await subjectRequest(n))/deny", key: dpo,
                                body: ["reason": "other", "explanation": "Not ours to answer"])
        case "answerSubjectRequest":
            var claim = subjectRequestBody(subjectID: try await subject(n), n + 1_000_000)
            (claim["kind"], claim["corrections"], claim["text"]) = ("claim", nil, "The parcel never arrived.")
            let claimID = try await created("/v1/subject-requests", key: dpo, claim, member: "id")
            var moscow = Calendar(identifier: .gregorian)
            moscow.timeZone = TimeZone(identifier: "Europe/Moscow")!
            let today = moscow.dateComponents([.year, .month, .day], from: Date())
            return ValidRequest(method: .post, path: "/v1/subject-requests/\(claimID)/answer", key: dpo, body: [
                "answered_on": String(format: "%04d-%02d-%02d", today.year!, today.month!, today.day!), "channel": "post",
            ])
        case "setCalendarDay":
            // Mondays from 2031 on: a non-working Monday is always a change.
            let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: 7 * n, to: Date(timeIntervalSince1970: 1_925_424_000))!
            return ValidRequest(method: .put, path: "/v1/calendar-days/\(day.formatted(.iso8601.year().month().day()))", key: dpo,
                                body: ["kind": "non_working", "note": "Moved day \(n)"])
        case "createPolicyVersion":
            return ValidRequest(method: .post, path: "/v1/policy-versions", key: dpo, body: [
                "label": "v-\(n)", "url": "https://shop.example/privacy/\(n)", "text_sha256": String(format: "%064x", n),
                "effective_at": Date().addingTimeInterval(-86400).formatted(.iso8601),
            ])
        case "createConsentText":
            return ValidRequest(method: .post, path: "/v1/consent-texts", key: dpo, body: [
                "label": "consent-\(n)", "url": "https://shop.example/consent/\(n)", "text_sha256": String(format: "%064x", n),
                "effective_at": Date().addingTimeInterval(-86400).formatted(.iso8601), "purposes": ["newsletter", "analytics"],
            ])
        case "closeManualTask":
            return ValidRequest(method: .post, path: "/v1/manual-tasks/\(try await manualTask(n))/close", key: dpo, body: [
                "performed_by": "Anna, DPO", "performed_at": Date().formatted(.iso8601), "method": "email", "reference": "MSG-\(n)",
                "note": "Sent from the privacy mailbox",
            ])
        default:
            throw TestFailure("no valid request for \(operationID): add one here")
        }
    }

    /// An open task for the manual recipient: an erasure request of a fresh subject's cascade, handed to the DPO.
    private func manualTask(_ n: Int) async throws -> String {
        guard let subjectID = UUID(uuidString: try await subject(n)), let recipient = UUID(uuidString: manualRecipientID) else {
            throw TestFailure("no subject or manual recipient")
        }
        let (cascade, request, task) = (UUID(), UUID(), UUID())
        try await app.database.query("INSERT INTO erasure_cascades (id, subject_id, regulation) VALUES (\(cascade), \(subjectID), 'gdpr')")
        try await app.database.query("""
            INSERT INTO erasure_requests (id, cascade_id, recipient_id, identities)
            VALUES (\(request), \(cascade), \(recipient), '[{"identity_type":"email","identity_value":"someone@example.com","identity_format":"raw"}]'::jsonb)
            """)
        try await app.database.query("""
            INSERT INTO manual_tasks (id, recipient_id, subject_id, kind, erasure_request_id, identities)
            SELECT \(task), \(recipient), \(subjectID), 'erasure_request', id, identities FROM erasure_requests WHERE id = \(request)
            """)
        return task.uuidString.lowercased()
    }

    private func subjectBody(_ n: Int) -> [String: Any] {
        [
            "external_ref": "customer-\(n)", "full_name": "Анна Тестова", "email": "person\(n)@example.com",
            "phone": "+7916\(String(format: "%07d", n))", "registration_address": "Москва, ул. Ленина, 1", "locale": "ru",
        ]
    }

    private func orderBody(subjectID: String, _ n: Int) -> [String: Any] {
        [
            "subject_id": subjectID, "external_ref": "SO-\(n)", "currency": "RUB", "total_minor": 19990,
            "items": [["sku": "TEA-1", "name": "Tea", "quantity": 1, "unit_price_minor": 19990]],
            "delivery": [
                "recipient_name": "Анна Тестова", "phone": "8 916 111-22-33", "address_lines": ["ул. Ленина, 1"], "city": "Москва",
                "postal_code": "101000", "country": "RU",
            ],
        ]
    }

    private func subjectRequestBody(subjectID: String, _ n: Int) -> [String: Any] {
        [
            "subject_id": subjectID, "kind": "rectification", "regime": "gdpr", "channel": "email",
            "received_at": Date().formatted(.iso8601),
            "corrections": [
                "full_name": "Анна Исправленная", "email": "corrected\(n)@example.com", "phone": "+7903\(String(format: "%07d", n))",
                "registration_address": "Казань, ул. Баумана, 2",
            ],
        ]
    }

    /// A new subject (numbered away from the bodies' own numbers); with `newsletter`, one who granted it.
    private func subject(_ n: Int, newsletter: Bool = false) async throws -> String {
        let id = try await created("/v1/subjects", key: shop, subjectBody(n + 1_000_000), member: "id")
        if newsletter {
            _ = try await created("/v1/subjects/\(id)/consents", key: shop, [
                "purpose": "newsletter", "action": "grant", "policy_version": "v1", "consent_text": "consent-v1", "channel": "web_form",
            ], member: "purpose")
        }
        return id
    }

    private func order(_ n: Int) async throws -> String {
        try await created("/v1/orders", key: shop, orderBody(subjectID: try await subject(n), n + 1_000_000), member: "id")
    }

    private func subjectRequest(_ n: Int) async throws -> String {
        var body = subjectRequestBody(subjectID: try await subject(n), n + 1_000_000)
        body["kind"] = "access"
        body["corrections"] = nil
        return try await created("/v1/subject-requests", key: dpo, body, member: "id")
    }

    /// The e-mail provider's pending erasure request for a new subject who granted the newsletter.
    private func erasureRequest(_ n: Int) async throws -> String {
        let subjectID = try await subject(n, newsletter: true)
        _ = try await created("/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, ["regulation": "gdpr"], member: "subject_id")
        let cascade = try await app.request(.get, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo).jsonObject()
        guard let id = (cascade["requests"] as? [[String: Any]])?.first?["id"] as? String else { throw TestFailure("no erasure request") }
        return id
    }

    private func created(_ path: String, key: String, _ body: [String: Any], member: String) async throws -> String {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let response = try await app.request(.post, path, key: key, json: text)
        guard (200..<300).contains(response.status.code), let value = try response.jsonObject()[member] as? String else {
            throw TestFailure("fixture \(path): \(response.status) \(response.text)")
        }
        return value
    }
}
