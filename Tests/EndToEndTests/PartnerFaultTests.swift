@testable import PartnerSim
import Testing

/// PartnerSim's random faults, which the fault drill in scripts/faults relies on.
@Suite("PartnerSim fault profiles")
struct PartnerFaultTests {
    @Test("a rate of 1 always gives its fault; the rates share one draw in the order errors, throttling, hanging")
    func rates() {
        var errors = PartnerFault(endpoint: "/x", errorRate: 1)
        #expect([500, 503].contains(Self.status(errors.decide())))
        var throttled = PartnerFault(endpoint: "/x", throttleRate: 1)
        #expect(throttled.decide() == .answer(status: 429, retryAfterSeconds: 1))
        var hanging = PartnerFault(endpoint: "/x", hangRate: 1)
        #expect(hanging.decide() == .hang)
        var mixed = PartnerFault(endpoint: "/x", errorRate: 0.2, throttleRate: 0.3, hangRate: 0.1)
        var counts: [String: Int] = [:]
        for _ in 0..<10_000 {
            switch mixed.decide() {
            case .answer(429, _): counts["throttled", default: 0] += 1
            case .answer: counts["error", default: 0] += 1
            case .hang: counts["hang", default: 0] += 1
            case .redirect: counts["redirect", default: 0] += 1
            case .proceed: counts["proceed", default: 0] += 1
            }
        }
        // Expected 2,000 / 3,000 / 1,000 / 4,000; ±300 is over six standard deviations.
        for (name, expected) in ["error": 2000, "throttled": 3000, "hang": 1000, "proceed": 4000] {
            #expect(abs((counts[name] ?? 0) - expected) < 300, "\(name): \(counts[name] ?? 0)")
        }
    }

    private static func status(_ decision: PartnerFault.Decision) -> Int? {
        if case .answer(let status, _) = decision { return status }
        return nil
    }
}
