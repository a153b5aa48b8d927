import CustodianAPI
import CustodianConsole
import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus

/// `custodian serve`'s application on an isolated migrated database, driven through its router, with helpers for
/// console users and form posts from the console's own origin.
struct ConsoleApp {
    static let origin = "http://custodian.test"
    static let password = "correct horse battery staple"

    let client: any TestClientProtocol
    let database: Database

    static func run(_ body: @Sendable (ConsoleApp) async throws -> Void) async throws {
        try await TestDatabase.withMigratedName { name in
            let metrics = PrometheusCollectorRegistry()
            let database = try TestDatabase.pool(database: name, metricsFactory: PrometheusMetricsFactory(registry: metrics), logger: TestDatabase.logger)
            let console = ConsoleConfiguration(passwordIterations: 1000, publicURL: URL(string: origin))
            let app = try APIApplication.build(
                configuration: APIConfiguration(console: console), database: database, metrics: metrics, logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await body(ConsoleApp(client: client, database: database))
            }
        }
    }

    /// An enrolled user; a dpo's TOTP is returned with the step its enrolment used up.
    func user(_ email: String, role: ConsoleRole) async throws -> (TOTP?, Int64?) {
        let users = ConsoleUserRepository(database: database, passwordIterations: 1000)
        let (_, token) = try await users.create(email: email, role: role)
        let totp = role.requiresSecondFactor ? TOTP.generate() : nil
        let step = TOTP.step(at: Date())
        _ = try await users.enrol(token, password: Self.password, totp: totp, code: totp?.code(step: step))
        return (totp, totp == nil ? nil : step)
    }

    /// Logs in and returns the session cookie's value.
    func logIn(_ email: String, code: String? = nil, headers extra: HTTPFields = [:]) async throws -> (TestResponse, String?) {
        var form = "email=\(email)&password=\(Self.password.replacingOccurrences(of: " ", with: "+"))"
        if let code { form += "&code=\(code)" }
        let response = try await post("/console/login", form: form, headers: extra)
        let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("console_session=") }
        return (response, cookie.map { String($0.dropFirst("console_session=".count).prefix { $0 != ";" }) })
    }

    func get(_ path: String, session: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let session { headers[.cookie] = "console_session=\(session)" }
        return try await client.execute(uri: path, method: .get, headers: headers, body: nil)
    }

    /// A form POST from the console's origin unless `headers` say otherwise.
    func post(_ path: String, form: String, session: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: Self.origin]
        for field in extra { headers[field.name] = field.value }
        if let session { headers[.cookie] = "console_session=\(session)" }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    /// The CSRF token a page's forms carry.
    static func csrf(in page: TestResponse) -> String? {
        let html = String(buffer: page.body)
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
