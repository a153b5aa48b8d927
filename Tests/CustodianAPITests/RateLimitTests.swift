import CustodianAPI
import CustodianCore
import Foundation
import Testing

@Suite("Rate limit per API key")
struct RateLimitTests {
    @Test("beyond its burst a key gets 429 problem+json with Retry-After; other keys and keyless operations are not limited")
    func limited() async throws {
        try await TestApp.run(configuration: APIConfiguration(rateLimit: (perMinute: 60, burst: 3))) { app in
            let busy = try await app.key(.shop)
            let other = try await app.key(.shop)
            for _ in 0..<3 {
                #expect(try await app.request(.get, "/v1/subjects?external_ref=x", key: busy).status == .ok)
            }
            let refused = try await app.request(.get, "/v1/subjects?external_ref=x", key: busy)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(refused.headers[.retryAfter] == "1", "one request a second comes back")
            #expect(try refused.jsonObject()["type"] as? String == "/problems/rate-limited")
            #expect(try await app.request(.get, "/v1/subjects?external_ref=x", key: other).status == .ok)
            #expect(try await app.request(.get, "/health/live").status == .ok)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await app.request(.get, "/v1/subjects?external_ref=x", key: busy).status == .ok, "refilled after Retry-After")
        }
    }

    @Test("the bucket refills at the configured rate and never beyond its capacity")
    func bucket() {
        var bucket = TokenBucket(capacity: 2, perMinute: 120, now: 0)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 0) == 1)
        #expect(bucket.take(now: 0.5) == nil, "two a second")
        #expect(bucket.take(now: 100) == nil)
        #expect(bucket.take(now: 100) == nil)
        #expect(bucket.take(now: 100) == 1, "capacity caps the refill")
    }
}
