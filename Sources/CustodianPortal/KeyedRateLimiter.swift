import CustodianCore
import Foundation

/// A token bucket per key (a client address, a hashed e-mail address). At most `capacity` keys are remembered: the
/// longest idle go first. Counts live in this process only.
actor KeyedRateLimiter {
    private var buckets: [String: (bucket: TokenBucket, seen: TimeInterval)] = [:]
    private let limit: PortalRateLimit
    private let capacity: Int

    init(_ limit: PortalRateLimit, capacity: Int = 10_000) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Counts one request of `key`: nil while within the limit, else the seconds to wait.
    func count(_ key: String, now: TimeInterval = Date().timeIntervalSince1970) -> Int? {
        var entry = buckets[key] ?? (TokenBucket(capacity: limit.burst, perMinute: limit.perMinute, now: now), now)
        let wait = entry.bucket.take(now: now)
        entry.seen = now
        buckets[key] = entry
        if buckets.count > capacity, let idle = buckets.min(by: { $0.value.seen < $1.value.seen })?.key {
            buckets[idle] = nil
        }
        return wait
    }
}
