import CustodianAPI
import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// The console's sessions, forms and headers, over HTTP against the real application and database.
@Suite struct ConsoleSecurityTests {
    @Test func pagesCarryTheSecurityHeadersAndErrorsAreHTML() async throws {
        try await ConsoleApp.run { app in
            let login = try await app.get("/console/login")
            #expect(login.status == .ok)
            #expect(login.headers[.contentType] == "text/html; charset=utf-8")
            #expect(login.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
            #expect(login.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(login.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(login.headers[.xContentTypeOptions] == "nosniff")
            #expect(!String(buffer: login.body).contains("<script"))

            let missing = try await app.get("/console/no-such-page")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "text/html; charset=utf-8")
            let signedOut = try await app.get("/console/inbox")
            #expect(signedOut.status == .seeOther && signedOut.headers[.location] == "/console/login")
        }
    }

    @Test func loginOpensANewHttpOnlyStrictSessionAndLogoutEndsIt() async throws {
        try await ConsoleApp.run { app in
            _ = try await app.user("viewer@example.com", role: .viewer)
            let (first, firstSession) = try await app.logIn("viewer@example.com")
            #expect(first.status == .seeOther && first.headers[.location] == "/console/inbox")
            let cookie = try #require(first.headers[values: .setCookie].first { $0.hasPrefix("console_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))
            let old = try #require(firstSession)
            #expect(try await app.get("/console/inbox", session: old).status == .ok)

            // A second login from the same browser rotates the session: the old cookie stops working.
            let (_, secondSession) = try await app.logIn("viewer@example.com", headers: [.cookie: "console_session=\(old)"])
            let current = try #require(secondSession)
            #expect(current != old)
            #expect(try await app.get("/console/inbox", session: old).status == .seeOther)
            let inbox = try await app.get("/console/inbox", session: current)
            let csrf = try #require(ConsoleApp.csrf(in: inbox))

            let logout = try await app.post("/console/logout", form: "csrf=\(csrf)", session: current)
            #expect(logout.status == .seeOther && logout.headers[.location] == "/console/login")
            #expect(try await app.get("/console/inbox", session: current).status == .seeOther)
            let audited = try await app.database.query("""
                SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE actor_kind = 'user' AND action LIKE 'console.log%'
                """).collect().first?.decode(String.self)
            #expect(audited == "console.login,console.login,console.logout")
            // Only hashes are stored.
            let stored = try await app.database.query("SELECT count(*) FROM console_sessions WHERE token_hash = \(ByteBuffer(bytes: ConsoleToken(text: current).hash))")
                .collect().first?.decode(Int.self)
            #expect(stored == 1)
        }
    }

    @Test func cookiesAreSecureBehindHTTPS() async throws {
        try await ConsoleApp.run { app in
            _ = try await app.user("viewer@example.com", role: .viewer)
            let (response, _) = try await app.logIn("viewer@example.com", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("console_session=") })
            #expect(cookie.contains("Secure"))
        }
    }

    @Test func formsFromAnotherOriginAreRefused() async throws {
        try await ConsoleApp.run { app in
            _ = try await app.user("viewer@example.com", role: .viewer)
            let foreign = try await app.post(
                "/console/login", form: "email=viewer@example.com&password=x", headers: [.origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)
            let crossSite = try await app.post(
                "/console/login", form: "email=viewer@example.com&password=x",
                headers: [.origin: "null", HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            // Under Referrer-Policy: no-referrer a browser's own form says `Origin: null` and `Sec-Fetch-Site: same-origin`.
            let (sameOrigin, session) = try await app.logIn(
                "viewer@example.com", headers: [.origin: "null", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(sameOrigin.status == .seeOther && session != nil)
        }
    }

    @Test func aDPOActionIsAuditedUnderTheUsersName() async throws {
        try await ConsoleApp.run { app in
            let (totp, step) = try await app.user("dpo@example.com", role: .dpo)
            let code = try #require(totp).code(step: try #require(step) + 1)
            let (_, session) = try await app.logIn("dpo@example.com", code: code)
            let cookie = try #require(session)
            let subject = try await SubjectRepository(database: app.database).create(
                NewSubject(externalRef: "c-1", fullName: "Ирина", email: "irina@example.com", phone: nil, registrationAddress: nil, locale: "ru-RU"),
                actor: AuditActor(apiKeyID: nil, requestID: "test"))
            let request = try await SubjectRequestRepository(database: app.database).create(
                NewSubjectRequest(
                    subjectID: subject.id.uuidString, email: nil, phone: nil, externalRef: nil, kind: .access, regime: .fz152, channel: .email,
                    receivedAt: Date()),
                receivedOn: CalendarDate(Date(), in: TimeZone(identifier: "Europe/Moscow")!), hasher: nil, actor: AuditActor(apiKeyID: nil, requestID: "test"))
            let page = try await app.get("/console/requests/\(request.id.uuidString.lowercased())", session: cookie)
            let csrf = try #require(ConsoleApp.csrf(in: page))

            // The first POST asks to confirm and changes nothing.
            let ask = try await app.post("/console/requests/\(request.id.uuidString.lowercased())/cancel", form: "csrf=\(csrf)", session: cookie)
            #expect(ask.status == .ok && String(buffer: ask.body).contains("name=\"confirmed\""))
            let withoutToken = try await app.post("/console/requests/\(request.id.uuidString.lowercased())/cancel", form: "confirmed=yes", session: cookie)
            #expect(withoutToken.status == .forbidden)
            let done = try await app.post(
                "/console/requests/\(request.id.uuidString.lowercased())/cancel", form: "csrf=\(csrf)&confirmed=yes", session: cookie)
            #expect(done.status == .seeOther)

            let user = try #require(try await ConsoleUserRepository(database: app.database).find(email: "dpo@example.com"))
            let audited = try await app.database.query("""
                SELECT count(*) FROM audit_log WHERE action = 'subject_request.cancel' AND user_id = \(user.id) AND actor_kind = 'user'
                """).collect().first?.decode(Int.self)
            #expect(audited == 1)
            let event = try await app.database.query("""
                SELECT count(*) FROM subject_request_events WHERE request_id = \(request.id) AND status = 'cancelled' AND user_id = \(user.id)
                """).collect().first?.decode(Int.self)
            #expect(event == 1)
        }
    }
}
