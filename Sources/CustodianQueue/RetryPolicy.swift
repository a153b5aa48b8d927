import Foundation

/// When a job that asked to be retried runs again.
///
/// The delay before attempt *n + 1* after *n* failed attempts is `min(cap, base × 2^(n−1))`, multiplied by a random
/// jitter factor in [0.9, 1.1]; a partner's Retry-After replaces it, clamped to [base, maximumRetryAfter]. With the
/// defaults (base 5 s, cap 1 h): 5 s, 10 s, 20 s, 40 s, … reaching the 1 h cap at the 11th retry.
public struct RetryPolicy: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval
    public var maximumRetryAfter: TimeInterval
    public var jitter: ClosedRange<Double>

    public init(base: TimeInterval = 5, cap: TimeInterval = 3600, maximumRetryAfter: TimeInterval = 3600, jitter: ClosedRange<Double> = 0.9...1.1) {
        self.base = base
        self.cap = cap
        self.maximumRetryAfter = maximumRetryAfter
        self.jitter = jitter
    }

    /// The delay after `attempt` (1-based) failed, before any jitter.
    public func nominalDelay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        return min(cap, base * pow(2, exponent))
    }

    /// The delay to wait, with jitter, or the partner's clamped Retry-After.
    public func delay<Generator: RandomNumberGenerator>(afterAttempt attempt: Int, retryAfter: TimeInterval?, using generator: inout Generator) -> TimeInterval {
        if let retryAfter {
            return min(maximumRetryAfter, max(base, retryAfter))
        }
        return nominalDelay(afterAttempt: attempt) * Double.random(in: jitter, using: &generator)
    }

    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?) -> TimeInterval {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, using: &generator)
    }

    /// Seconds from a Retry-After header: delta-seconds or an HTTP date; nil when unreadable.
    public static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
