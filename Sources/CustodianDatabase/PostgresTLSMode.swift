import Foundation
import PostgresNIO

/// libpq's `sslmode`, meaning what it means there: `disable` never encrypts; `allow` and `prefer` encrypt when the
/// server can, without checking its certificate; `require` always encrypts, checking nothing — unless `sslrootcert`
/// is given, when it checks the chain as `verify-ca` does (libpq's rule); `verify-ca` checks the chain;
/// `verify-full` checks the chain and that the certificate names the host. An unknown mode is refused, never guessed.
public enum PostgresTLSMode: String, Sendable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    /// The client's TLS for this mode. `rootCertificatePath`: the CA file (PEM) the chain must lead to, read now so
    /// a missing or garbled file stops start-up; `system` or none: the system's trusted roots (for `verify-*`).
    /// `allow` is served as `prefer`: PostgresNIO cannot try plain text first.
    public func tls(rootCertificatePath: String?) throws -> (tls: PostgresClient.Configuration.TLS, configuration: TLSConfiguration?) {
        if self == .disable { return (.disable, nil) }
        var configuration = TLSConfiguration.makeClientConfiguration()
        let roots: NIOSSLTrustRoots
        switch rootCertificatePath {
        case nil, "system":
            roots = .default
        case let path?:
            do {
                roots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw DatabaseURL.Invalid(description: "DATABASE_URL's sslrootcert could not be read as PEM certificates")
            }
        }
        configuration.trustRoots = roots
        switch self {
        case .disable: return (.disable, nil)
        case .allow, .prefer:
            configuration.certificateVerification = .none
            return (.prefer(configuration), configuration)
        case .require:
            let checksChain = rootCertificatePath != nil && rootCertificatePath != "system"
            configuration.certificateVerification = checksChain ? .noHostnameVerification : .none
            return (.require(configuration), configuration)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return (.require(configuration), configuration)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return (.require(configuration), configuration)
        }
    }
}
