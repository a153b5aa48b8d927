import CustodianStore
import Hummingbird
import Logging
import Prometheus

/// The operator's own port (`CUSTODIAN_METRICS_PORT`), apart from the API and from the internet: `GET /metrics`
/// (Prometheus text), `GET /health/live` and `GET /health/ready` (the database answers). `serve` and `work` each run
/// one, so the worker — which has no API — can be scraped and health-checked too.
public enum OperationsListener {
    public static func build(
        host: String, port: Int, registry: PrometheusCollectorRegistry, database: Database,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ in
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("health/live") { _, _ in status(.ok) }
        router.get("health/ready") { _, _ in
            do {
                try await database.ping()
                return status(.ok)
            } catch {
                return status(.serviceUnavailable)
            }
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "custodian-operations"),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? port) }, logger: logger)
    }

    private static func status(_ status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: status == .ok ? #"{"status":"ok"}"# : #"{"status":"unavailable"}"#)))
    }
}
