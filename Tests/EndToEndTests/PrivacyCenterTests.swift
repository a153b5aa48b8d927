import CustodianStore
import Foundation
import HTTPTypes
import NIOCore
import PartnerSim
import Testing

/// The privacy center over HTTP as a browser uses it (issue 23): sign-in with a code from PartnerSim's mailbox,
/// consents, requests, the export; the same answer for known and unknown addresses; refused codes and forms.
@Suite("End to end: privacy center")
struct PrivacyCenterTests {
    @Test("known and unknown addresses get the same status and body; only the known one leaves a verification and a job")
    func enumeration() async throws {
        try await EndToEndStack.run { stack in
            let (_, _) = try await Self.customer(stack)
            var browser = PrivacyBrowser(stack: stack)
            _ = try await browser.get("/privacy")
            let known = try await browser.post("/privacy/code", ["email": "vera.pc@example.com"])
            let unknown = try await browser.post("/privacy/code", ["email": "nobody.pc@example.com"])
            #expect(known.status == .ok && unknown.status == .ok)
            #expect(known.body.replacingOccurrences(of: "vera.pc@example.com", with: "ADDRESS")
                    == unknown.body.replacingOccurrences(of: "nobody.pc@example.com", with: "ADDRESS"), "the same page, but for the address typed")
            #expect(known.setCookies.isEmpty && unknown.setCookies.isEmpty, "neither answer sets anything")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM privacy_verifications") == 1)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM jobs WHERE kind = 'verification_code'") == 1)
        }
    }

    @Test("signed in with the mailed code: withdraw a consent (channel privacy_center, truncated IP, user agent, audited as the subject), file access and erasure, download the export as JSON and HTML for 7 days")
    func flow() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await Self.customer(stack)
            var browser = PrivacyBrowser(stack: stack)
            try await browser.signIn("vera.pc@example.com")

            let account = try await browser.get("/privacy/account")
            #expect(account.status == .ok)
            #expect(account.body.contains("id=\"consent-newsletter\"") && account.body.contains("Лавка Полины"))
            #expect(account.body.contains("PartnerSim mail"), "the newsletter's recipients are named")
            let withdrawn = try await browser.post("/privacy/consents", ["purpose": "newsletter", "action": "withdraw"])
            #expect(withdrawn.status == .seeOther && withdrawn.location == "/privacy/account#consents")
            let event = try #require(try await stack.database.query("""
                SELECT channel, host(ip_address), user_agent, form_id FROM consent_events WHERE action = 'withdraw'
                """).decode((String, String?, String?, String?).self).first(where: { _ in true }))
            #expect(event.0 == "privacy_center" && event.1 == "127.0.0.0" && event.2 == "PrivacyCenterTests/1.0" && event.3 == "privacy-center")
            #expect(try await SubjectRequestWorkTests.count(stack, """
                SELECT count(*) FROM audit_log WHERE action = 'consent.record' AND actor_kind = 'subject' AND subject_id = '\(subjectID)'
                """) == 1)
            try await EndToEndStack.waitFor {
                try await stack.received().received.filter { $0.endpoint == "/email/suppressions" }.count == 1
            }

            #expect(try await browser.post("/privacy/requests", ["kind": "access"]).status == .seeOther)
            let access = try #require(try await stack.database.query(
                "SELECT id::text, channel FROM subject_requests WHERE kind = 'access'").decode((String, String).self).first(where: { _ in true }))
            #expect(access.1 == "privacy_center")
            let filed = try await stack.request(.get, "/v1/subject-requests/\(access.0)", key: dpo)
            #expect((filed["history"] as? [[String: Any]])?.first?["actor_kind"] as? String == "subject", "its history names the subject")
            #expect(try await SubjectRequestWorkTests.count(stack, """
                SELECT count(*) FROM audit_log WHERE action = 'subject_request.create' AND actor_kind = 'subject'
                """) == 1)
            #expect(try await browser.get("/privacy/requests/\(access.0)/export/json").status == .conflict, "not before it is fulfilled")
            _ = try await stack.request(.post, "/v1/subject-requests/\(access.0)/fulfil", key: dpo)
            let page = try await browser.get("/privacy/account")
            #expect(page.body.contains("/privacy/requests/\(access.0)/export/json"))
            let json = try await browser.get("/privacy/requests/\(access.0)/export/json")
            #expect(json.status == .ok && json.headers[.contentType] == "application/json")
            #expect(json.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            let export = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
            #expect((export["subject"] as? [String: Any])?["email"] as? String == "vera.pc@example.com")
            let html = try await browser.get("/privacy/requests/\(access.0)/export/html")
            #expect(html.status == .ok && html.body.contains("vera.pc@example.com") && html.body.contains("История согласий"))
            try await stack.database.query("UPDATE subject_requests SET completed_at = now() - interval '8 days' WHERE kind = 'access'")
            #expect(try await browser.get("/privacy/requests/\(access.0)/export/json").status == .gone, "7 days after fulfilment it is gone")
            try await stack.database.query("UPDATE subject_requests SET completed_at = now() WHERE kind = 'access'")

            #expect(try await browser.post("/privacy/requests", ["kind": "erasure", "ground": "consent_withdrawn"]).status == .seeOther)
            let erasure = try #require(try await stack.database.query(
                "SELECT id::text, ground FROM subject_requests WHERE kind = 'erasure'").decode((String, String?).self).first(where: { _ in true }))
            #expect(erasure.1 == "consent_withdrawn", "the customer's own ground")
            _ = try await stack.request(.post, "/v1/subject-requests/\(erasure.0)/fulfil", key: dpo)
            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM subject_requests WHERE kind = 'erasure' AND status = 'completed'") == 1
            }
            let after = try await browser.get("/privacy/account")
            #expect(after.status == .ok && after.body.contains("id=\"erased\""), "the session outlives the erasure to show it")
            #expect(!after.body.contains("vera.pc@example.com") && !after.body.contains("id=\"consent-newsletter\""))
            #expect(!after.body.contains("/export/json"), "no export is offered once the data are erased")
            #expect(try await browser.get("/privacy/requests/\(access.0)/export/json").status == .gone, "nor given")

            #expect(try await browser.post("/privacy/sign-out", [:]).status == .seeOther)
            let signedOut = try await browser.get("/privacy/account")
            #expect(signedOut.status == .seeOther && signedOut.location == "/privacy")
        }
    }

    @Test("an expired code, a code tried too often, a form without its CSRF token or from another origin, no session: refused, nothing changes")
    func refusals() async throws {
        try await EndToEndStack.run { stack in
            let (_, _) = try await Self.customer(stack)
            var browser = PrivacyBrowser(stack: stack)
            _ = try await browser.get("/privacy")
            let noToken = try await browser.post("/privacy/code", ["email": "vera.pc@example.com"], csrf: false)
            #expect(noToken.status == .forbidden)
            let foreign = try await browser.post("/privacy/code", ["email": "vera.pc@example.com"], origin: "https://evil.example")
            #expect(foreign.status == .forbidden)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM privacy_verifications") == 0, "no code for a forged form")

            let code = try await browser.requestCode("vera.pc@example.com", messages: 1)
            try await stack.database.query("UPDATE privacy_verifications SET created_at = now() - interval '11 minutes'")
            let expired = try await browser.post("/privacy/verify", ["email": "vera.pc@example.com", "code": code])
            #expect(expired.status == .unprocessableContent && expired.body.contains("id=\"code-refused\"") && expired.setCookies.isEmpty,
                    "the right code 11 minutes later is refused")

            let fresh = try await browser.requestCode("vera.pc@example.com", messages: 2)
            let wrong = fresh == "000000" ? "111111" : "000000"
            for _ in 0..<5 { _ = try await browser.post("/privacy/verify", ["email": "vera.pc@example.com", "code": wrong]) }
            let exhausted = try await browser.post("/privacy/verify", ["email": "vera.pc@example.com", "code": fresh])
            #expect(exhausted.status == .unprocessableContent && exhausted.setCookies.isEmpty, "after five wrong tries the right code is refused")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM privacy_sessions") == 0, "no session was opened")

            let unknown = try await browser.post("/privacy/verify", ["email": "nobody.pc@example.com", "code": fresh])
            #expect(unknown.status == exhausted.status && unknown.setCookies == exhausted.setCookies)
            #expect(unknown.body.replacingOccurrences(of: "nobody.pc@example.com", with: "ADDRESS")
                    == exhausted.body.replacingOccurrences(of: "vera.pc@example.com", with: "ADDRESS"),
                    "an exhausted code of a customer and any code of an unknown address read alike")
            #expect(expired.body == exhausted.body, "expired and exhausted read alike")

            let account = try await browser.get("/privacy/account")
            #expect(account.status == .seeOther && account.location == "/privacy")
            let consent = try await browser.post("/privacy/consents", ["purpose": "newsletter", "action": "withdraw"])
            #expect(consent.status == .seeOther && consent.location == "/privacy", "without a session: to sign-in")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM consent_events WHERE action = 'withdraw'") == 0)
        }
    }

    /// Vera, subscribed to the newsletter; her subject id and a dpo key.
    static func customer(_ stack: EndToEndStack) async throws -> (String, String) {
        let vera = try await NewsletterSubscriber(stack, externalRef: "pc-vera", fullName: "Вера Центрова", email: "vera.pc@example.com")
        return (vera.subjectID, vera.dpo)
    }
}

/// A browser's view of the privacy center: cookies kept between requests, forms posted with the CSRF cookie's token
/// and `Sec-Fetch-Site: same-origin`, as Chromium sends them.
struct PrivacyBrowser {
    let stack: EndToEndStack
    var cookies: [String: String] = [:]

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }
    }

    mutating func get(_ path: String) async throws -> Page {
        try await send(path, method: .get, body: nil, origin: nil)
    }

    mutating func post(_ path: String, _ fields: [String: String], csrf: Bool = true, origin: String? = nil) async throws -> Page {
        var fields = fields
        if csrf { fields["csrf"] = cookies["privacy_csrf"] ?? "" }
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await send(path, method: .post, body: body, origin: origin)
    }

    /// Asks for a code and reads it from PartnerSim once the `messages`-th code message arrived.
    mutating func requestCode(_ email: String, messages: Int) async throws -> String {
        _ = try await get("/privacy")
        #expect(try await post("/privacy/code", ["email": email]).status == .ok)
        try await EndToEndStack.waitFor { try await PrivacyVerificationTests.messages(stack).count == messages }
        return try #require(PrivacyVerificationTests.code(in: try await PrivacyVerificationTests.messages(stack)[messages - 1]))
    }

    mutating func signIn(_ email: String) async throws {
        let code = try await requestCode(email, messages: 1)
        let verified = try await post("/privacy/verify", ["email": email, "code": code])
        #expect(verified.status == .seeOther && verified.location == "/privacy/account")
        #expect(cookies["privacy_session"] != nil, "a session cookie")
        #expect(verified.setCookies.first { $0.hasPrefix("privacy_session=") }?.contains("HttpOnly") == true)
    }

    private mutating func send(_ path: String, method: HTTPRequest.Method, body: String?, origin: String?) async throws -> Page {
        var headers: HTTPFields = [.userAgent: "PrivacyCenterTests/1.0", .acceptLanguage: "ru-RU"]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if method == .post {
            headers[.contentType] = "application/x-www-form-urlencoded"
            if let origin { headers[.origin] = origin } else { headers[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin" }
        }
        let response = try await stack.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for cookie in response.headers[values: .setCookie] {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            if cookie.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
        }
        return Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
    }
}
