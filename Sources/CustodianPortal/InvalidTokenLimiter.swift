import CustodianCore
import Foundation

/// Counts invalid tokens per client address (a token bucket each); valid tokens are never counted, since mailbox
/// providers send many valid one-click POSTs from few addresses. At most `capacity` addresses are remembered: the
/// longest idle go first.
actor InvalidTokenLimiter {
    private var buckets: [String: (bucket: TokenBucket, seen: TimeInterval)] = [:]
    private let perMinute: Int
    private let burst: Int
    private let capacity: Int

    init(perMinute: Int, burst: Int, capacity: Int = 10_000) {
        self.perMinute = perMinute
        self.burst = burst
        self.capacity = capacity
    }

    /// Counts one invalid token from `address`: nil while within the limit, else the seconds to wait.
    func countInvalid(from address: String, now: TimeInterval = Date().timeIntervalSince1970) -> Int? {
        var entry = buckets[address] ?? (TokenBucket(capacity: burst, perMinute: perMinute, now: now), now)
        let wait = entry.bucket.take(now: now)
        entry.seen = now
        buckets[address] = entry
        if buckets.count > capacity, let idle = buckets.min(by: { $0.value.seen < $1.value.seen })?.key {
            buckets[idle] = nil
        }
        return wait
    }
}
