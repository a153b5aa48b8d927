import Foundation
import PostgresNIO

/// Reads a `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` URL into a client configuration.
///
/// `sslmode` means what it means in libpq (``PostgresTLSMode``; `prefer` when absent) and an unknown value is refused;
/// `sslrootcert` names the CA file the server's chain must lead to. A `host=/path` query item connects over the Unix
/// socket in that directory (no TLS there, as in libpq).
public struct DatabaseURL: Sendable {
    public let configuration: PostgresClient.Configuration
    /// The database name, for messages and for deriving per-test databases.
    public let database: String
    public let sslMode: PostgresTLSMode
    /// What the client checks of the server's certificate; nil without TLS.
    public let tlsConfiguration: TLSConfiguration?

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
        let unsupported = Set(query.keys).subtracting(["sslmode", "sslrootcert", "host"])
        guard unsupported.isEmpty else {
            throw Invalid(description: "DATABASE_URL has parameters Custodian does not support: \(unsupported.sorted().joined(separator: ", ")) (known: sslmode, sslrootcert, host)")
        }
        guard let mode = PostgresTLSMode(rawValue: query["sslmode"] ?? "prefer") else {
            throw Invalid(description: "DATABASE_URL's sslmode must be one of \(PostgresTLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }

        var configuration: PostgresClient.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? 5432
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: user, password: password, database: database)
            tlsConfiguration = nil
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw Invalid(description: "DATABASE_URL has no host")
            }
            let (tls, checked) = try mode.tls(rootCertificatePath: query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 })
            configuration = .init(
                host: host, port: components.port ?? 5432,
                username: user, password: password, database: database, tls: tls)
            tlsConfiguration = checked
        }
        sslMode = mode
        self.configuration = configuration
        self.database = database
    }
}
