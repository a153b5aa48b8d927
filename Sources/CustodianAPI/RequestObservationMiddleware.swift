import Foundation
import Hummingbird
import Logging

/// Gives each request its id (echoed in `X-Request-Id`), logs one line when it ends (method, route template, status,
/// duration: never the query string, which can hold an e-mail), and counts it in the metrics. Problems it answers
/// name their type under `problemTypeBase`.
struct RequestObservationMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RequestMetrics
    let problemTypeBase: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = context.id
        let logger = context.logger
        var response = try await RequestScope.$requestID.withValue(requestID) {
            try await RequestScope.$logger.withValue(logger) {
                try await RequestScope.$problemTypeBase.withValue(problemTypeBase) {
                    try await next(request, context)
                }
            }
        }
        response.headers[.requestID] = requestID
        let route = context.endpointPath ?? "unmatched"
        let elapsed = ContinuousClock.now - start
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, elapsed: elapsed)
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "route": "\(route)",
            "status": "\(response.status.code)",
            "duration_ms": "\(String(format: "%.3f", Double(elapsed / .nanoseconds(1)) / 1_000_000))",
        ])
        return response
    }
}
