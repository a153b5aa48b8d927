import CoreMetrics
import CustodianDatabase
import CustodianStore
import CustodianTestSupport
import Foundation
import Testing

@Suite("DATABASE_URL")
struct DatabaseURLTests {
    @Test("TCP URLs give host, port, user, password and database")
    func tcp() throws {
        let url = try DatabaseURL("postgres://app:p%40ss@db.internal:6543/custodian?sslmode=disable")
        #expect(url.configuration.host == "db.internal")
        #expect(url.configuration.port == 6543)
        #expect(url.configuration.username == "app")
        #expect(url.configuration.password == "p@ss")
        #expect(url.database == "custodian")
    }

    @Test("a host query item selects the Unix socket in that directory")
    func socket() throws {
        let url = try DatabaseURL("postgresql://postgres@localhost:5433/db?host=/tmp/pg")
        #expect(url.configuration.unixSocketPath == "/tmp/pg/.s.PGSQL.5433")
    }

    @Test("a URL naming the test cluster's socket directory connects through its Unix socket, not TCP")
    func socketConnection() async throws {
        guard let directory = ProcessInfo.processInfo.environment["CUSTODIAN_TEST_PG_DIR"] else {
            throw TestDatabaseError("Set CUSTODIAN_TEST_PG_DIR (scripts/test does) to the test cluster's directory, its Unix socket's too.")
        }
        let server = try TestDatabase.serverURL().configuration
        let port = server.port ?? 5432
        try #require(
            FileManager.default.fileExists(atPath: "\(directory)/.s.PGSQL.\(port)"),
            "the test cluster has no Unix socket in \(directory) (scripts/lib/postgres.sh starts it without one when the path is too long: use a shorter TMPDIR)")
        let url = try DatabaseURL("postgres://\(server.username)@127.0.0.1:\(port)/postgres?sslmode=disable&host=\(directory)")
        let database = Database(
            pools: ConnectionPools(configuration: url.poolConfiguration(maximumConnections: 1, connectTimeout: .seconds(5), statementTimeout: nil),
                                   logger: TestDatabase.logger),
            maximumConnections: 1, metricsFactory: NOOPMetricsHandler.instance, logger: TestDatabase.logger)
        let overSocket = try await TestDatabase.running(database) {
            try await $0.query("SELECT inet_client_addr() IS NULL").rows.first?.decode(Bool.self)
        }
        #expect(overSocket == true)
    }

    @Test("the pool carries its limits and starts no timer per statement: no keep-alive, and no idle timer when it keeps its connections")
    func pool() throws {
        let url = try DatabaseURL("postgres://app@db.internal/custodian")
        let configuration = url.poolConfiguration(
            maximumConnections: 7, connectTimeout: .seconds(3), statementTimeout: .milliseconds(2500))
        #expect(configuration.options.maximumConnections == 7)
        #expect(configuration.options.minimumConnections == 0)
        #expect(configuration.options.connectTimeout == .seconds(3))
        #expect(configuration.options.keepAliveBehavior == nil)
        #expect(configuration.options.connectionIdleTimeout == .seconds(10))
        let kept = url.poolConfiguration(maximumConnections: 7, minimumConnections: 7, connectTimeout: .seconds(3), statementTimeout: nil)
        #expect(kept.options.minimumConnections == 7)
        #expect(configuration.options.additionalStartupParameters.map { "\($0.0)=\($0.1)" } == ["statement_timeout=2500"])
    }

    @Test("other schemes and hostless URLs are refused without echoing the password", arguments: [
        "mysql://u:secret@h/db", "postgres:///db", "not a url",
    ])
    func invalid(raw: String) {
        do {
            _ = try DatabaseURL(raw)
            Issue.record("accepted \(raw)")
        } catch {
            #expect(!"\(error)".contains("secret"))
        }
    }
}
