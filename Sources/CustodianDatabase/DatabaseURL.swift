import Foundation
import PostgresNIO

/// Reads a `postgres://user:password@host:port/database?sslmode=…` URL into a client configuration.
///
/// `sslmode=disable` turns TLS off, `require` (or `verify-full`) demands it, anything else prefers it.
/// A `host=/path` query item connects over the Unix socket in that directory.
public struct DatabaseURL: Sendable {
    public let configuration: PostgresClient.Configuration
    /// The database name, for messages and for deriving per-test databases.
    public let database: String

    /// Errors that name the part of the URL that is wrong, never the password.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ string: String) throws {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else { throw Invalid(description: "DATABASE_URL must look like postgres://user:password@host:port/database") }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? user : path
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })

        var configuration: PostgresClient.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? 5432
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw Invalid(description: "DATABASE_URL has no host")
            }
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            default: tls = .prefer(.makeClientConfiguration())
            }
            configuration = .init(
                host: host, port: components.port ?? 5432,
                username: user, password: password, database: database, tls: tls)
        }
        self.configuration = configuration
        self.database = database
    }
}
