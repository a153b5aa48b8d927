import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// `sslmode` means what it means in libpq, against the test cluster (scripts/test starts it with `ssl=on` and a
/// certificate for `localhost` from a throwaway CA, `CUSTODIAN_TEST_PG_ROOT_CERT`).
@Suite("DATABASE_URL: TLS modes")
struct DatabaseTLSTests {
    static let environment = ProcessInfo.processInfo.environment

    /// The test server's URL with another host and query.
    static func url(host: String = "127.0.0.1", _ query: String) throws -> String {
        let server = try TestDatabase.serverURL().configuration
        return "postgres://\(server.username)@\(host):\(server.port ?? 5432)/postgres?\(query)"
    }

    /// Whether a connection made as `url` says is encrypted (pg_stat_ssl of its own backend). One connection, not a
    /// pool, so that a refused handshake fails at once instead of being retried.
    static func encrypted(_ url: String) async throws -> Bool {
        let parsed = try DatabaseURL(url)
        let server = parsed.configuration
        var tls = PostgresConnection.Configuration.TLS.disable
        if let checked = parsed.tlsConfiguration {
            let context = try NIOSSLContext(configuration: checked)
            tls = [.allow, .prefer].contains(parsed.sslMode) ? .prefer(context) : .require(context)
        }
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: server.host ?? "127.0.0.1", port: server.port ?? 5432, username: server.username,
                                 password: server.password, database: server.database, tls: tls),
            id: 1, logger: TestDatabase.logger)
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: TestDatabase.logger)
        return try await rows.decode(Bool.self).first(where: { _ in true }) ?? false
    }

    static var root: String { environment["CUSTODIAN_TEST_PG_ROOT_CERT"] ?? "" }
    static var otherRoot: String { environment["CUSTODIAN_TEST_PG_OTHER_ROOT_CERT"] ?? "" }

    @Test("disable is plain; prefer and require encrypt without checking a self-signed chain")
    func encryptionWithoutVerification() async throws {
        #expect(try await Self.encrypted(Self.url("sslmode=disable")) == false)
        #expect(try await Self.encrypted(Self.url("sslmode=prefer")) == true)
        #expect(try await Self.encrypted(Self.url("sslmode=require")) == true)
        #expect(try await Self.encrypted(Self.url("")) == true, "prefer when no mode is named")
    }

    @Test("verify-ca checks the chain only; verify-full the chain and the name; require with a root checks the chain")
    func verification() async throws {
        try #require(!Self.root.isEmpty, "scripts/test sets CUSTODIAN_TEST_PG_ROOT_CERT")
        #expect(try await Self.encrypted(Self.url("sslmode=verify-ca&sslrootcert=\(Self.root)")))
        #expect(try await Self.encrypted(Self.url(host: "localhost", "sslmode=verify-full&sslrootcert=\(Self.root)")))
        await #expect(throws: (any Error).self, "the certificate names localhost, not 127.0.0.1") {
            _ = try await Self.encrypted(Self.url("sslmode=verify-full&sslrootcert=\(Self.root)"))
        }
        await #expect(throws: (any Error).self, "a chain that does not lead to the given root") {
            _ = try await Self.encrypted(Self.url("sslmode=verify-ca&sslrootcert=\(Self.otherRoot)"))
        }
        await #expect(throws: (any Error).self, "require with a root checks the chain, as in libpq") {
            _ = try await Self.encrypted(Self.url("sslmode=require&sslrootcert=\(Self.otherRoot)"))
        }
        await #expect(throws: (any Error).self, "verify-full against the system roots: a throwaway CA is not among them") {
            _ = try await Self.encrypted(Self.url(host: "localhost", "sslmode=verify-full"))
        }
    }

    @Test("an unknown mode, an unreadable root and unsupported parameters are refused at start, before any connection")
    func refusedAtStart() throws {
        for query in ["sslmode=requre", "sslmode=PREFER", "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", "sslcert=/x.pem"] {
            #expect(throws: DatabaseURL.Invalid.self, "\(query)") { try DatabaseURL("postgres://u@db.internal/custodian?\(query)") }
        }
        #expect(try DatabaseURL("postgres://u@db.internal/custodian?sslmode=verify-full").sslMode == .verifyFull)
        #expect(try DatabaseURL("postgres://u@db.internal/custodian").sslMode == .prefer)
        #expect(try DatabaseURL("postgres://u@db.internal/custodian?sslmode=require").tlsConfiguration?.certificateVerification == CertificateVerification.none)
    }
}
