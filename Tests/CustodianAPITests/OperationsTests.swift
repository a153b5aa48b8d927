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

    @Test("metrics count requests by route and status, time them, and show the pool")
    func metrics() async throws {
        try await TestApp.run { app in
            _ = try await app.request(.get, "/health/live")
            _ = try await app.request(.get, "/v1/subjects?external_ref=x")
            let text = try await app.request(.get, "/metrics").text
            #expect(text.contains(#"custodian_http_requests_total{method="GET",route="/health/live",status="200"} 1"#))
            #expect(text.contains(#"route="/v1/subjects",status="401""#))
            #expect(text.contains("custodian_http_request_duration_seconds_bucket"))
            #expect(text.contains("custodian_db_pool_max_connections"))
            #expect(text.contains("custodian_db_operation_duration_seconds"))
            #expect(!text.contains("external_ref=x"))
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
