import CustodianCore
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// Limits each API key to `perMinute` requests with bursts up to `burst` (a token bucket per key, in this process):
/// beyond it, 429 problem+json with `Retry-After` in seconds. Operations without a key (health, the spec,
/// signed callbacks) are not limited. Runs after authentication, so only known keys get a bucket.
struct RateLimitMiddleware: ServerMiddleware {
    let perMinute: Int
    let burst: Int
    private let buckets = Buckets()

    init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }

    /// Every key's bucket, shared by the copies of the middleware.
    private final class Buckets: Sendable {
        let byKey = Mutex<[UUID: TokenBucket]>([:])
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let key = RequestScope.apiKey else { return try await next(request, body, metadata) }
        let wait = buckets.byKey.withLock { buckets in
            // Read under the lock, so concurrent requests see the clock in order.
            let now = ProcessInfo.processInfo.systemUptime
            var bucket = buckets[key.id] ?? TokenBucket(capacity: burst, perMinute: perMinute, now: now)
            defer { buckets[key.id] = bucket }
            return bucket.take(now: now)
        }
        if let wait {
            throw Problem(
                type: .rateLimited,
                detail: "This API key may make \(perMinute) requests a minute (bursts of \(burst)); retry after \(wait) s.",
                headers: [.retryAfter: String(wait)])
        }
        return try await next(request, body, metadata)
    }
}
