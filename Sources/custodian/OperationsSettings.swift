import CustodianAPI
import Logging
import Prometheus
import ServiceLifecycle

extension Settings {
    /// Where this process serves `/metrics` and `/health`: `CUSTODIAN_METRICS_HOST` (127.0.0.1) and
    /// `CUSTODIAN_METRICS_PORT`; nil when no port is set. `serve` and `work` each need a port of their own.
    var operationsAddress: (host: String, port: Int)? {
        get throws {
            guard let raw = environment["CUSTODIAN_METRICS_PORT"], !raw.isEmpty else { return nil }
            return (environment["CUSTODIAN_METRICS_HOST"] ?? "127.0.0.1", try integer("CUSTODIAN_METRICS_PORT", default: 0, range: 1...65535))
        }
    }

    /// The operations listener of this process, when `CUSTODIAN_METRICS_PORT` asks for one.
    func operationsListener(environment: ProcessEnvironment, logger: Logger) throws -> [any Service] {
        guard let address = try operationsAddress else { return [] }
        return [OperationsListener.build(
            host: address.host, port: address.port, registry: environment.registry, database: environment.database, logger: logger)]
    }
}
