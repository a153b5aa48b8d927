import Foundation

/// A token bucket: holds up to `capacity` tokens, refilled at `perSecond`; each request takes one. Value type, the
/// caller keeps one per client and the clock (`now`) is passed in.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let perSecond: Double
    private var tokens: Double
    private var updatedAt: TimeInterval

    /// A full bucket.
    public init(capacity: Int, perMinute: Int, now: TimeInterval) {
        self.capacity = Double(max(1, capacity))
        self.perSecond = Double(max(1, perMinute)) / 60
        self.tokens = self.capacity
        self.updatedAt = now
    }

    /// Takes a token: nil when one was there, else the seconds until one will be (at least 1, rounded up).
    public mutating func take(now: TimeInterval) -> Int? {
        tokens = min(capacity, tokens + max(0, now - updatedAt) * perSecond)
        updatedAt = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / perSecond).rounded(.up)))
    }

    /// Whether the bucket will be full at `now`: then it remembers nothing a new bucket would not.
    public func isFull(now: TimeInterval) -> Bool {
        tokens + max(0, now - updatedAt) * perSecond >= capacity
    }
}
