import CustodianAPI
import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Prometheus

/// Runs the real API (router, middlewares, generated handlers) on an isolated migrated database; the API and its
/// database pool log to `logger`.
struct TestApp {
    let client: any TestClientProtocol
    let database: Database
    /// The name of `database`, for a pool of another role on it.
    let databaseName: String
    /// The registry the app and its pool record into.
    let metrics: PrometheusCollectorRegistry

    static func run(
        configuration: APIConfiguration = APIConfiguration(), listener: APIApplication.Listener = .all, logger: Logger = TestDatabase.logger,
        _ body: @Sendable (TestApp) async throws -> Void
    ) async throws {
        try await TestDatabase.withMigratedName { name in
            let metrics = PrometheusCollectorRegistry()
            let database = try TestDatabase.pool(database: name, metricsFactory: PrometheusMetricsFactory(registry: metrics), logger: logger)
            let app = try APIApplication.build(
                configuration: configuration, database: database, metrics: metrics,
                // A public listener runs no pool of its own (serve's main listener does): here it must.
                additionalServices: { if case .publicOnly = listener { [database.pools] } else { [] } }(), listener: listener,
                logger: logger)
            try await app.test(.router) { client in
                try await body(TestApp(client: client, database: database, databaseName: name, metrics: metrics))
            }
        }
    }

    /// A new API key's bearer token.
    func key(_ scope: APIKeyScope) async throws -> String {
        try await APIKeyRepository(database: database).create(name: "test-\(scope.rawValue)", scope: scope).secret.token
    }

    /// Runs `body` with the owner's pool on the app's database, for what the application role may not do (add a
    /// trigger, change the evidence).
    func asOwner(_ body: @Sendable (Database) async throws -> Void) async throws {
        try await TestDatabase.running(TestDatabase.pool(database: databaseName, role: .owner, maximumConnections: 1), body)
    }

    /// How many rows `table` holds.
    func rowCount(_ table: String) async throws -> Int {
        try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).collect().first?.decode(Int.self) ?? 0
    }

    /// Sends a request, JSON body by default.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Sends `request` with `bytes` as its body, signed when the request says so.
    func send(_ request: ValidRequest, bytes: [UInt8]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key = request.key { headers[.authorization] = "Bearer \(key)" }
        if let secret = request.signedWith {
            let id = "msg_\(UUID().uuidString)"
            let timestamp = Int64(Date().timeIntervalSince1970)
            headers[HTTPField.Name("webhook-id")!] = id
            headers[HTTPField.Name("webhook-timestamp")!] = String(timestamp)
            headers[HTTPField.Name("webhook-signature")!] = secret.signature(id: id, timestamp: timestamp, body: Data(bytes))
        }
        return try await client.execute(uri: request.path, method: request.method, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    /// Creates a subject and returns its JSON.
    func createSubject(key: String, externalRef: String, email: String? = nil, phone: String? = nil) async throws -> [String: Any] {
        var fields = ["\"external_ref\": \"\(externalRef)\"", "\"full_name\": \"Test Person\""]
        if let email { fields.append("\"email\": \"\(email)\"") }
        if let phone { fields.append("\"phone\": \"\(phone)\"") }
        let response = try await request(.post, "/v1/subjects", key: key, json: "{\(fields.joined(separator: ","))}")
        guard response.status == .created else { throw TestDatabaseError("create subject answered \(response.status)") }
        return try response.jsonObject()
    }
}

extension TestResponse {
    func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw TestDatabaseError("response body is not a JSON object")
        }
        return object
    }

    var text: String { String(buffer: body) }

    /// The `field` of each entry in a problem's `errors` (none when the body is not such a problem).
    var errorFields: [String] {
        ((try? jsonObject())?["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }
}
