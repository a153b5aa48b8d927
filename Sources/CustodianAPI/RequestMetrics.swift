import CoreMetrics
import NIOConcurrencyHelpers

/// The per-route request metrics, made once per method, route template and status and then reused: making a metric
/// through the factory validates its name and labels and looks it up in the registry under a lock on every call.
final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private struct Handles {
        let requests: Counter
        let duration: Timer
    }

    private let factory: any MetricsFactory
    private let handles = NIOLockedValueBox<[Key: Handles]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Counts one request and records its duration.
    func record(method: String, route: String, status: Int, elapsed: Duration) {
        let key = Key(method: method, route: route, status: status)
        let metrics = handles.withLockedValue { handles in
            if let existing = handles[key] { return existing }
            let made = Handles(
                requests: Counter(
                    label: "custodian_http_requests_total",
                    dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory),
                duration: Timer(
                    label: "custodian_http_request_duration_seconds", dimensions: [("method", method), ("route", route)], factory: factory))
            handles[key] = made
            return made
        }
        metrics.requests.increment()
        metrics.duration.recordNanoseconds(Int64(elapsed / .nanoseconds(1)))
    }
}
