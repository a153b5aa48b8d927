import CustodianAPI
import CustodianConsole
import CustodianCore
import CustodianPortal
import CustodianStore
import Foundation
import Logging

/// Configuration from environment variables, with the defaults the README lists.
struct Settings {
    let environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Why the configuration cannot be used.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    func databaseURL() throws -> DatabaseURL {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw Invalid(description: "DATABASE_URL is not set (for example postgres://custodian@127.0.0.1:5432/custodian)")
        }
        return try DatabaseURL(url)
    }

    /// The owner's URL for `custodian migrate` (`MIGRATION_DATABASE_URL`), or `DATABASE_URL` when one role does both.
    func migrationDatabaseURL() throws -> DatabaseURL {
        guard let url = environment["MIGRATION_DATABASE_URL"], !url.isEmpty else { return try databaseURL() }
        return try DatabaseURL(url)
    }

    var logLevel: Logger.Level {
        get throws {
            let raw = environment["CUSTODIAN_LOG_LEVEL"] ?? "info"
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw Invalid(description: "CUSTODIAN_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            return level
        }
    }

    func api() throws -> APIConfiguration {
        APIConfiguration(
            host: environment["CUSTODIAN_HOST"] ?? "127.0.0.1",
            port: try integer("CUSTODIAN_PORT", default: 8080, range: 0...65535),
            maximumBodySize: try integer("CUSTODIAN_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20)),
            maximumPageSize: try integer("CUSTODIAN_MAX_PAGE_SIZE", default: 200, range: 1...10_000),
            receipts: try receipts(),
            outboundPolicy: outboundPolicy,
            timeZone: try timeZone,
            identityHasher: try identityHasher,
            rateLimit: try rateLimit,
            console: try console(),
            portal: try portal(),
            publicBaseURL: try publicBaseURL(),
            publicPort: try publicPort)
    }

    /// `CUSTODIAN_PUBLIC_PORT`: a listener of its own for what faces the internet; nil when everything is on `CUSTODIAN_PORT`.
    var publicPort: Int? {
        get throws {
            (environment["CUSTODIAN_PUBLIC_PORT"] ?? "").isEmpty ? nil : try integer("CUSTODIAN_PUBLIC_PORT", default: 0, range: 1...65535)
        }
    }

    /// An http or https URL from the setting `name`; nil when it is unset or empty.
    func httpURL(_ name: String) throws -> URL? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw Invalid(description: "\(name) must be an http or https URL")
        }
        return url
    }

    /// Where customers and partners reach Custodian, for the unsubscribe links: `CUSTODIAN_PUBLIC_URL`, else
    /// http://127.0.0.1 on `CUSTODIAN_PUBLIC_PORT`, or on `CUSTODIAN_PORT` without a public listener.
    func publicBaseURL() throws -> String {
        if let url = try httpURL("CUSTODIAN_PUBLIC_URL") { return url.absoluteString.trimmingSuffix("/") }
        return "http://127.0.0.1:\(try publicPort ?? integer("CUSTODIAN_PORT", default: 8080, range: 0...65535))"
    }

    /// The customers' pages: the unsubscribe-link keys — `CUSTODIAN_UNSUBSCRIBE_KEY` (`id:base64`, at least 32 bytes;
    /// without it no link can be issued) and `CUSTODIAN_UNSUBSCRIBE_PREVIOUS_KEYS` (comma-separated, still verified so
    /// links already sent keep working; drop one to revoke its links) — and the trusted proxies.
    func portal() throws -> PortalConfiguration {
        var keyring: UnsubscribeKeyring?
        if let setting = environment["CUSTODIAN_UNSUBSCRIBE_KEY"], !setting.isEmpty {
            guard let current = UnsubscribeKey(setting: setting) else {
                throw Invalid(description: "CUSTODIAN_UNSUBSCRIBE_KEY must be id:base64 with an id of 1 to 16 letters, digits, - or _ and at least 32 bytes")
            }
            let previous = try list("CUSTODIAN_UNSUBSCRIBE_PREVIOUS_KEYS").map { item in
                guard let key = UnsubscribeKey(setting: item) else {
                    throw Invalid(description: "CUSTODIAN_UNSUBSCRIBE_PREVIOUS_KEYS must be a comma-separated list of id:base64 keys")
                }
                return key
            }
            keyring = UnsubscribeKeyring(current: current, previous: previous)
        }
        let console = try console()
        guard let regime = RequestRegime(rawValue: environment["CUSTODIAN_PRIVACY_REGIME"] ?? "fz152") else {
            throw Invalid(description: "CUSTODIAN_PRIVACY_REGIME must be fz152 or gdpr")
        }
        return PortalConfiguration(
            unsubscribeKeys: keyring, verificationKey: try verificationKey, shop: try shop, regime: regime, timeZone: try timeZone,
            publicURL: try httpURL("CUSTODIAN_PUBLIC_URL"), trustedProxies: console.trustedProxies)
    }

    /// The shop as the privacy center names it: `CUSTODIAN_SHOP_NAME`, `CUSTODIAN_POLICY_URL` (its privacy policy) and
    /// `CUSTODIAN_PORTAL_STYLESHEET` (an https URL of its own stylesheet, loaded after Custodian's).
    var shop: PortalShop {
        get throws {
            let name = (environment["CUSTODIAN_SHOP_NAME"] ?? "").trimmingCharacters(in: .whitespaces)
            return PortalShop(
                name: name.isEmpty ? "Custodian" : String(name.prefix(120)), policyURL: try httpURL("CUSTODIAN_POLICY_URL"),
                stylesheetURL: try httpURL("CUSTODIAN_PORTAL_STYLESHEET"))
        }
    }

    /// Where the console is reached, for the links `custodian users create` prints: its URL (``console()``), else
    /// http://127.0.0.1:`CUSTODIAN_PORT`.
    func consoleBaseURL() throws -> String {
        if let url = try console().publicURL { return url.absoluteString.trimmingSuffix("/") }
        return "http://127.0.0.1:\(try integer("CUSTODIAN_PORT", default: 8080, range: 0...65535))"
    }

    /// The console: dates in `CUSTODIAN_TIME_ZONE`; its URL, when known, is the origin its forms must come from (and
    /// https there makes its cookies `Secure`): `CUSTODIAN_CONSOLE_URL`, else `CUSTODIAN_PUBLIC_URL` unless
    /// `CUSTODIAN_PUBLIC_PORT` puts the public pages on a listener the console is not on (then the request's own host
    /// is the origin); `CUSTODIAN_CONSOLE_PASSWORD_ITERATIONS` (600,000) the PBKDF2 cost of new passwords;
    /// `CUSTODIAN_TRUSTED_PROXIES` (comma-separated addresses) the reverse proxies whose `X-Forwarded-For` names the client.
    func console() throws -> ConsoleConfiguration {
        let publicURL = try httpURL("CUSTODIAN_CONSOLE_URL") ?? (try publicPort == nil ? try httpURL("CUSTODIAN_PUBLIC_URL") : nil)
        return ConsoleConfiguration(
            timeZone: try timeZone, identityHasher: try identityHasher,
            passwordIterations: try integer("CUSTODIAN_CONSOLE_PASSWORD_ITERATIONS", default: PasswordHash.defaultIterations, range: 1000...10_000_000),
            publicURL: publicURL,
            trustedProxies: Set(list("CUSTODIAN_TRUSTED_PROXIES")),
            outboundPolicy: outboundPolicy)
    }

    /// Requests per minute per API key, `CUSTODIAN_RATE_LIMIT_PER_MINUTE` (6000; 0 turns the limit off), with bursts
    /// of `CUSTODIAN_RATE_LIMIT_BURST` (200).
    var rateLimit: (perMinute: Int, burst: Int)? {
        get throws {
            let perMinute = try integer("CUSTODIAN_RATE_LIMIT_PER_MINUTE", default: 6000, range: 0...10_000_000)
            guard perMinute > 0 else { return nil }
            return (perMinute, try integer("CUSTODIAN_RATE_LIMIT_BURST", default: 200, range: 1...1_000_000))
        }
    }

    /// The key privacy-center verification codes are derived under: `CUSTODIAN_PRIVACY_KEY` (base64, at least 32 bytes),
    /// the same for serve and work. Without it no code is sent.
    var verificationKey: VerificationCodeKey? {
        get throws {
            guard let key = environment["CUSTODIAN_PRIVACY_KEY"], !key.isEmpty else { return nil }
            guard let parsed = VerificationCodeKey(base64Key: key) else {
                throw Invalid(description: "CUSTODIAN_PRIVACY_KEY must be at least 32 bytes, base64-encoded (openssl rand -base64 32)")
            }
            return parsed
        }
    }

    /// The key of the hashes a depersonalised subject's e-mail and phone are kept under to recognise a repeat request:
    /// `CUSTODIAN_IDENTITY_HASH_KEY` (base64, at least 32 bytes), and `CUSTODIAN_IDENTITY_HASH_PREVIOUS_KEYS`
    /// (comma-separated) still recognised after a rotation. Without the key no hash is kept.
    var identityHasher: IdentityHasher? {
        get throws {
            guard let key = environment["CUSTODIAN_IDENTITY_HASH_KEY"], !key.isEmpty else { return nil }
            let previous = list("CUSTODIAN_IDENTITY_HASH_PREVIOUS_KEYS")
            guard let hasher = IdentityHasher(base64Key: key, previousBase64Keys: previous) else {
                throw Invalid(description: "CUSTODIAN_IDENTITY_HASH_KEY and CUSTODIAN_IDENTITY_HASH_PREVIOUS_KEYS must be keys of at least 32 bytes, base64-encoded (openssl rand -base64 32)")
            }
            return hasher
        }
    }

    /// The keys personal data is sealed with, which `serve` and `work` cannot start without: the KEKs from
    /// `CUSTODIAN_KEK_FILE` (one `id:base64` per line, 32 bytes each; the first is current, the rest previous; `#` starts
    /// a comment) or `CUSTODIAN_KEK` with `CUSTODIAN_KEK_PREVIOUS` (comma-separated), and the blind-index key
    /// `CUSTODIAN_BLIND_INDEX_KEY` (base64, at least 32 bytes; it never changes, since every index depends on it).
    var personalDataKeys: PersonalDataKeys {
        get throws {
            var settings: [String]
            if let path = environment["CUSTODIAN_KEK_FILE"], !path.isEmpty {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw Invalid(description: "CUSTODIAN_KEK_FILE: cannot read \(path)")
                }
                settings = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            } else {
                settings = [environment["CUSTODIAN_KEK"] ?? ""].filter { !$0.isEmpty } + list("CUSTODIAN_KEK_PREVIOUS")
            }
            guard !settings.isEmpty else {
                throw Invalid(description: "no key-encryption key: set CUSTODIAN_KEK_FILE (or CUSTODIAN_KEK) to id:base64 of 32 bytes (custodian kek new prints one)")
            }
            let keks = settings.compactMap(KeyEncryptionKey.init(setting:))
            guard keks.count == settings.count, let current = keks.first else {
                throw Invalid(description: "key-encryption keys must be id:base64 with an id of up to 32 letters, digits, - or _ and exactly 32 bytes")
            }
            guard let index = environment["CUSTODIAN_BLIND_INDEX_KEY"], let bytes = Data(base64Encoded: index.trimmingCharacters(in: .whitespaces)),
                  let keys = PersonalDataKeys(current: current, previous: Array(keks.dropFirst()), indexKey: bytes) else {
                throw Invalid(description: "CUSTODIAN_BLIND_INDEX_KEY must be a key of at least 32 bytes, base64-encoded (openssl rand -base64 32)")
            }
            return keys
        }
    }

    /// A comma-separated setting's items, trimmed, empty ones dropped.
    func list(_ name: String) -> [String] {
        (environment[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The controller's time zone for deadlines: `CUSTODIAN_TIME_ZONE` (an IANA name, default Europe/Moscow).
    var timeZone: TimeZone {
        get throws {
            let name = environment["CUSTODIAN_TIME_ZONE"] ?? "Europe/Moscow"
            guard let zone = TimeZone(identifier: name) else {
                throw Invalid(description: "CUSTODIAN_TIME_ZONE must be an IANA time zone such as Europe/Moscow")
            }
            return zone
        }
    }

    /// Hosts recipients may use over http and at internal addresses: `CUSTODIAN_OUTBOUND_ALLOWED_HOSTS`, comma-separated.
    var outboundPolicy: OutboundAddressPolicy {
        OutboundAddressPolicy(allowedHosts: Set(list("CUSTODIAN_OUTBOUND_ALLOWED_HOSTS")))
    }

    func receipts() throws -> ReceiptConfiguration {
        var signingKey: ReceiptSigningKey?
        if let raw = environment["CUSTODIAN_RECEIPT_SIGNING_KEY"], !raw.isEmpty {
            guard let key = ReceiptSigningKey(base64URL: raw) else {
                throw Invalid(description: "CUSTODIAN_RECEIPT_SIGNING_KEY must be base64url of a 32-byte Ed25519 private key (custodian receipt-key makes one)")
            }
            signingKey = key
        }
        let previous = try list("CUSTODIAN_RECEIPT_PREVIOUS_SIGNING_KEYS").map { raw in
            guard let key = ReceiptSigningKey(base64URL: raw) else {
                throw Invalid(description: "CUSTODIAN_RECEIPT_PREVIOUS_SIGNING_KEYS must be comma-separated keys as CUSTODIAN_RECEIPT_SIGNING_KEY takes them")
            }
            return key.jwk
        }
        func text(_ name: String) -> String { environment[name] ?? "" }
        return ReceiptConfiguration(
            signingKey: signingKey, previousKeys: previous,
            jurisdiction: environment["CUSTODIAN_JURISDICTION"] ?? "RU",
            controller: .init(
                piiController: text("CUSTODIAN_CONTROLLER_NAME"), contact: text("CUSTODIAN_CONTROLLER_CONTACT"),
                address: text("CUSTODIAN_CONTROLLER_ADDRESS"), email: text("CUSTODIAN_CONTROLLER_EMAIL"),
                phone: text("CUSTODIAN_CONTROLLER_PHONE"), piiControllerUrl: text("CUSTODIAN_CONTROLLER_URL")))
    }

    /// The operator as destruction acts name it (RKN Order No. 179): `CUSTODIAN_CONTROLLER_NAME`, `_ADDRESS`,
    /// `_RESPONSIBLE_NAME` and `_RESPONSIBLE_POSITION`, required by `serve` and `work`; `_PROCESSOR`, a processor
    /// acting on the operator's behalf, if any.
    func operatorIdentity() throws -> OperatorIdentity {
        func text(_ name: String) -> String { environment["CUSTODIAN_CONTROLLER_" + name] ?? "" }
        do {
            return try OperatorIdentity(
                name: text("NAME"), address: text("ADDRESS"), responsibleName: text("RESPONSIBLE_NAME"),
                responsiblePosition: text("RESPONSIBLE_POSITION"), processor: environment["CUSTODIAN_CONTROLLER_PROCESSOR"])
        } catch {
            let missing = error.errors.map { "CUSTODIAN_CONTROLLER_" + $0.field.uppercased() }
            throw Invalid(description: "set \(missing.joined(separator: ", ")): the operator and its responsible person, as destruction acts name them (RKN Order No. 179)")
        }
    }

    /// At least two: `serve` and `work` each keep one connection listening (API key changes, new jobs).
    func databasePoolSize(default value: Int) throws -> Int {
        try integer("CUSTODIAN_DB_MAX_CONNECTIONS", default: value, range: 2...500)
    }

    var databaseConnectTimeout: Duration {
        get throws { .milliseconds(try integer("CUSTODIAN_DB_CONNECT_TIMEOUT_MS", default: 5000, range: 100...600_000)) }
    }

    var databaseStatementTimeout: Duration {
        get throws { .milliseconds(try integer("CUSTODIAN_DB_STATEMENT_TIMEOUT_MS", default: 10_000, range: 100...3_600_000)) }
    }

    /// How long one database operation may take before the caller gets 503 (API) or retries (worker).
    var databaseOperationTimeout: Duration {
        get throws { .milliseconds(try integer("CUSTODIAN_DB_OPERATION_TIMEOUT_MS", default: 15_000, range: 100...3_600_000)) }
    }

    var shutdownTimeout: Duration {
        get throws { .seconds(try integer("CUSTODIAN_SHUTDOWN_TIMEOUT_SECONDS", default: 25, range: 1...600)) }
    }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = environment[name], !raw.isEmpty else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw Invalid(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
