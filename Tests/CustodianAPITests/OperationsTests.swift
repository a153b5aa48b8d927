import CoreMetrics
import CustodianAPI
import CustodianStore
import CustodianTestSupport
import Foundation
import HummingbirdTesting
import Prometheus
import Testing

@Suite("Health, metrics and the spec")
struct OperationsTests {
    @Test("readiness answers 200 while the database answers")
    func ready() async throws {
        try await TestApp.run { app in
            let response = try await app.request(.get, "/health/ready")
            #expect(response.status == .ok)
            #expect(try response.jsonObject()["status"] as? String == "ok")
        }
    }

    @Test("metrics and health on the operations port count requests by route and status, time them, and show the pool; the API's port has no /metrics")
    func metrics() async throws {
        try await TestApp.run { app in
            _ = try await app.request(.get, "/health/live")
            _ = try await app.request(.get, "/health/live")
            _ = try await app.request(.get, "/v1/subjects?external_ref=x")
            #expect(try await app.request(.get, "/metrics").status == .notFound, "metrics are not beside the API")
            let operations = OperationsListener.build(
                host: "127.0.0.1", port: 0, registry: app.metrics, database: app.database, logger: TestDatabase.logger)
            try await operations.test(.live) { client in
                let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(text.contains(#"custodian_http_requests_total{method="GET",route="/health/live",status="200"} 2"#), "the second request counts on the same series")
                #expect(text.contains(#"route="/v1/subjects",status="401""#))
                #expect(text.contains("custodian_http_request_duration_seconds_bucket"))
                #expect(text.contains("custodian_db_pool_max_connections"))
                #expect(text.contains("custodian_db_operation_duration_seconds"))
                #expect(!text.contains("external_ref=x"))
                #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/v1/subjects", method: .get).status == .notFound, "and the API is not on the operations port")
            }
        }
    }

    @Test("GET /openapi.yaml serves the repository's spec byte for byte")
    func spec() async throws {
        try await TestApp.run { app in
            let response = try await app.request(.get, "/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            let onDisk = try String(contentsOfFile: SpecFile.path, encoding: .utf8)
            #expect(response.text == onDisk)
        }
    }
}

/// The repository's `openapi.yaml`.
enum SpecFile {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml").path
}

@Suite("Readiness without a database")
struct UnreachableDatabaseTests {
    @Test("readiness answers 503 problem+json quickly when the database cannot be reached")
    func notReady() async throws {
        let unreachable = try DatabaseURL("postgres://custodian@127.0.0.1:1/none?sslmode=disable")
        let database = Database(
            url: unreachable, maximumConnections: 2, connectTimeout: .milliseconds(200), statementTimeout: nil,
            operationTimeout: .seconds(15), metricsFactory: NOOPMetricsHandler.instance, logger: TestDatabase.logger)
        try await LiveServer.run(database: database) { server in
            let clock = ContinuousClock()
            let start = clock.now
            let ready = try await server.send(.GET, "/health/ready")
            #expect(ready.status == 503)
            #expect(ready.contentType == "application/problem+json")
            #expect(clock.now - start < .seconds(5))
            #expect(try await server.send(.GET, "/health/live").status == 200)
        }
    }
}
