import CustodianCore
import CustodianQueue
import CustodianStore
import CustodianWorker
import Foundation

/// The worker's part of the configuration.
extension Settings {
    /// Leases, polling and rescue: `CUSTODIAN_WORKER_LEASE_SECONDS` (30), `CUSTODIAN_WORKER_POLL_MS` (1000),
    /// `CUSTODIAN_WORKER_RESCUE_SECONDS` (15).
    func jobRunner() throws -> JobRunnerConfiguration {
        JobRunnerConfiguration(
            lease: .seconds(try integer("CUSTODIAN_WORKER_LEASE_SECONDS", default: 30, range: 2...3600)),
            pollInterval: .milliseconds(try integer("CUSTODIAN_WORKER_POLL_MS", default: 1000, range: 10...60_000)),
            rescueInterval: .seconds(try integer("CUSTODIAN_WORKER_RESCUE_SECONDS", default: 15, range: 1...3600)))
    }

    /// Everything `custodian work` reads: ``jobRunner()``, each kind's ``concurrency(of:default:)``, ``outboundTimeouts()``,
    /// the outbound address policy, ``erasureCallbackURL()``, ``retention()``, the identity hasher and the privacy key.
    func worker() throws -> WorkerConfiguration {
        let timeouts = try outboundTimeouts()
        var concurrency: [String: Int] = [:]
        for registration in WorkerApplication.registrations {
            concurrency[registration.kind] = try self.concurrency(of: registration.kind, default: registration.defaultConcurrency)
        }
        return WorkerConfiguration(
            runner: try jobRunner(), concurrency: concurrency, outboundPolicy: outboundPolicy, connectTimeout: timeouts.connect,
            outboundTimeout: timeouts.total, erasureCallbackURL: try erasureCallbackURL(), retention: try retention(),
            identityHasher: try identityHasher, verificationKey: try verificationKey)
    }

    /// Jobs of the kind `name` claimed per batch and run at once: `CUSTODIAN_WORKER_CONCURRENCY_<KIND>` (for example
    /// `CUSTODIAN_WORKER_CONCURRENCY_COURIER_TRANSFER`), else `CUSTODIAN_WORKER_CONCURRENCY`, else the kind's default.
    func concurrency(of name: String, default kindDefault: Int) throws -> Int {
        let fallback = try integer("CUSTODIAN_WORKER_CONCURRENCY", default: kindDefault, range: 1...1000)
        return try integer("CUSTODIAN_WORKER_CONCURRENCY_\(name.uppercased())", default: fallback, range: 1...1000)
    }

    /// Outgoing HTTP timeouts: `CUSTODIAN_OUTBOUND_CONNECT_TIMEOUT_MS` (5000) and `CUSTODIAN_OUTBOUND_TIMEOUT_MS`
    /// (30000, the whole exchange, body included).
    func outboundTimeouts() throws -> (connect: Duration, total: Duration) {
        (.milliseconds(try integer("CUSTODIAN_OUTBOUND_CONNECT_TIMEOUT_MS", default: 5000, range: 100...600_000)),
         .milliseconds(try integer("CUSTODIAN_OUTBOUND_TIMEOUT_MS", default: 30_000, range: 100...3_600_000)))
    }

    /// Retention: `CUSTODIAN_RETENTION_PERIOD_SECONDS` (86400: once a day across all workers; 0 turns it off),
    /// `CUSTODIAN_RETENTION_INACTIVE_DAYS` (1095: three years without orders, consents, requests or changes, and no
    /// consent in force), `CUSTODIAN_RETENTION_BATCH` (500 subjects per run) and `CUSTODIAN_RETENTION_REGIME`
    /// (fz152 or gdpr, named on destruction records).
    func retention() throws -> (period: Duration, policy: RetentionPolicy)? {
        let period = try integer("CUSTODIAN_RETENTION_PERIOD_SECONDS", default: 86_400, range: 0...31_536_000)
        guard period > 0 else { return nil }
        guard let regime = RequestRegime(rawValue: environment["CUSTODIAN_RETENTION_REGIME"] ?? "fz152") else {
            throw Invalid(description: "CUSTODIAN_RETENTION_REGIME must be fz152 or gdpr")
        }
        return (.seconds(period), RetentionPolicy(
            inactiveDays: try integer("CUSTODIAN_RETENTION_INACTIVE_DAYS", default: 1095, range: 1...36_500),
            batchSize: try integer("CUSTODIAN_RETENTION_BATCH", default: 500, range: 1...100_000), regime: regime))
    }

    /// Where recipients call back about erasure requests: `CUSTODIAN_PUBLIC_URL` (required; the address the API is
    /// reached at from outside) + `/v1/callbacks/erasure`. A loopback address only with `CUSTODIAN_DEVELOPMENT=1`.
    func erasureCallbackURL() throws -> String {
        do {
            return try PublicBaseURL.parse(environment["CUSTODIAN_PUBLIC_URL"], allowLoopback: isDevelopment) + "/v1/callbacks/erasure"
        } catch {
            throw Invalid(description: error.description)
        }
    }

    /// A development run (`CUSTODIAN_DEVELOPMENT=1`): loopback addresses are acceptable where partners would call.
    var isDevelopment: Bool {
        ["1", "true", "yes"].contains((environment["CUSTODIAN_DEVELOPMENT"] ?? "").lowercased())
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
