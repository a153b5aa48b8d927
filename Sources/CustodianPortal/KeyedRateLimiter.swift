import CustodianCore
import Foundation

/// A token bucket per key (a client's address or network, a hashed e-mail address, a subject). At most `capacity`
/// keys are remembered; when that many are, only buckets that have refilled (which remember nothing a new one would
/// not) are forgotten, and while none has, a new key waits: flooding with new keys cannot wipe anyone's count.
/// Counts live in this process only.
actor KeyedRateLimiter {
    private var buckets: [String: TokenBucket] = [:]
    private let limit: PortalRateLimit
    private let capacity: Int

    init(_ limit: PortalRateLimit, capacity: Int = 20_000) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Counts one request of `key`: nil while within the limit, else the seconds to wait.
    func count(_ key: String, now: TimeInterval = Date().timeIntervalSince1970) -> Int? {
        if buckets[key] == nil, buckets.count >= capacity {
            buckets = buckets.filter { !$0.value.isFull(now: now) }
            if buckets.count >= capacity { return 60 }
        }
        var bucket = buckets[key] ?? TokenBucket(capacity: limit.burst, perMinute: limit.perMinute, now: now)
        let wait = bucket.take(now: now)
        buckets[key] = bucket
        return wait
    }
}

/// The rate limiters of the customers' pages, one set per process: every listener shares them.
final class PortalLimiters: Sendable {
    let invalidTokens: KeyedRateLimiter
    let codeRequestsPerClient: KeyedRateLimiter
    let codeRequestsPerAddress: KeyedRateLimiter
    let codeTriesPerClient: KeyedRateLimiter
    let actionsPerSubject: KeyedRateLimiter

    init(_ limits: PortalLimits) {
        invalidTokens = KeyedRateLimiter(limits.invalidTokens)
        codeRequestsPerClient = KeyedRateLimiter(limits.codeRequestsPerClient)
        codeRequestsPerAddress = KeyedRateLimiter(limits.codeRequestsPerAddress)
        codeTriesPerClient = KeyedRateLimiter(limits.codeTriesPerClient)
        actionsPerSubject = KeyedRateLimiter(limits.actionsPerSubject)
    }
}
