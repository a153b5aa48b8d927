@testable import CustodianPortal
import Testing

/// Counting per key: a burst, then waiting; and a flood of new keys cannot wipe a counted key.
@Suite struct KeyedRateLimiterTests {
    @Test func burstThenWait() async {
        let limiter = KeyedRateLimiter(PortalRateLimit(perMinute: 1, burst: 3))
        for _ in 0..<3 { #expect(await limiter.count("a", now: 0) == nil) }
        #expect(await limiter.count("a", now: 0) == 60)
        #expect(await limiter.count("b", now: 0) == nil, "another key has its own bucket")
        #expect(await limiter.count("a", now: 60) == nil, "a minute later one more")
    }

    @Test("when full, only refilled buckets are forgotten; with none, a new key waits and the counted one stays counted")
    func floodCannotWipe() async {
        let limiter = KeyedRateLimiter(PortalRateLimit(perMinute: 1, burst: 1), capacity: 3)
        #expect(await limiter.count("victim", now: 0) == nil)
        #expect(await limiter.count("x1", now: 0) == nil)
        #expect(await limiter.count("x2", now: 0) == nil)
        #expect(await limiter.count("x3", now: 1) != nil, "full of live buckets: a new key waits")
        #expect(await limiter.count("victim", now: 1) != nil, "and the victim's count survived")
        #expect(await limiter.count("x4", now: 61) == nil, "once buckets refilled they are forgotten and new keys count again")
    }
}
