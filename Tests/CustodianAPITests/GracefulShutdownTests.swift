import AsyncHTTPClient
import CustodianAPI
import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import NIOCore
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("on shutdown the in-flight request finishes with its answer and the server stops")
    func inFlightRequestFinishes() async throws {
        try await TestDatabase.withMigratedName { name in
            // The server's operations may wait as long as the blocker holds the table: with the default 15 s deadline a
            // loaded machine can cancel the request (503) before the test has seen it wait.
            try await LiveServer.run(database: try TestDatabase.pool(database: name, operationTimeout: .seconds(120))) { server in
                let key = try await TestDatabase.running(TestDatabase.pool(database: name, maximumConnections: 1)) { database in
                    try await APIKeyRepository(database: database).create(name: "shutdown", scope: .shop).secret.token
                }
                // The blocker holds its connection for the whole exchange: on a loaded machine that can outlast the
                // default 15 s operation deadline before the request even reaches the lock.
                try await TestDatabase.running(TestDatabase.pool(database: name, maximumConnections: 1, operationTimeout: .seconds(180))) { blocker in
                    try await blocker.withConnection { connection in
                        try await connection.query("BEGIN", logger: TestDatabase.logger)
                        try await connection.query("LOCK TABLE subjects IN EXCLUSIVE MODE", logger: TestDatabase.logger)
                        async let response = server.send(
                            .POST, "/v1/subjects",
                            headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json")],
                            body: #"{"external_ref":"in-flight","full_name":"Slow Request"}"#, timeout: .seconds(150))
                        try await waitUntilBlocked(connection)
                        await server.group.triggerGracefulShutdown()
                        try await Task.sleep(for: .milliseconds(300))
                        try await connection.query("COMMIT", logger: TestDatabase.logger)
                        #expect(try await response.status == 201)
                    }
                }
                try await server.waitUntilStopped()
            }

            let stored = try await TestDatabase.running(TestDatabase.pool(database: name)) { database in
                try await database.query("SELECT count(*) FROM subjects WHERE external_ref = 'in-flight'").collect().first?.decode(Int.self)
            }
            #expect(stored == 1)
        }
    }

    /// Waits until some other session waits for a lock held by `connection`.
    func waitUntilBlocked(_ connection: PostgresConnection) async throws {
        let deadline = ContinuousClock.now + .seconds(100)
        while ContinuousClock.now < deadline {
            let waiting = try await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
                logger: TestDatabase.logger
            ).collect().first?.decode(Int.self) ?? 0
            if waiting > 0 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the request never reached the database")
    }
}
