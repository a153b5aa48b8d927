import CustodianQueue
import Foundation
import Testing

@Suite("Retries")
struct RetryPolicyTests {
    @Test("backoff doubles from 5 s and stops at the 1 h cap; jitter stays within ±10%")
    func backoff() {
        let policy = RetryPolicy()
        #expect((1...5).map(policy.nominalDelay(afterAttempt:)) == [5, 10, 20, 40, 80])
        #expect(policy.nominalDelay(afterAttempt: 11) == 3600)
        #expect(policy.nominalDelay(afterAttempt: 200) == 3600)
        for attempt in 1...15 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            let nominal = policy.nominalDelay(afterAttempt: attempt)
            #expect(delay >= nominal * 0.9 && delay <= nominal * 1.1, "attempt \(attempt)")
        }
    }

    @Test("Retry-After replaces the backoff, clamped to [base, 1 h]")
    func retryAfter() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterAttempt: 1, retryAfter: 120) == 120)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 0) == 5)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 86400) == 3600)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(RetryPolicy.parseRetryAfter("30", now: now) == 30)
        let later = now.addingTimeInterval(90)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryPolicy.parseRetryAfter(formatter.string(from: later), now: now) == 90)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
    }

    @Test("2xx succeeds; 408, 425, 429 and 5xx retry; other 4xx and redirects fail permanently")
    func classification() {
        #expect(JobOutcome.classify(httpStatus: 204, retryAfter: nil) == .succeeded)
        for status in [408, 425, 500, 502, 504] {
            #expect(JobOutcome.classify(httpStatus: status, retryAfter: "7") == .retry(reason: "HTTP \(status)", httpStatus: status, retryAfter: nil))
        }
        #expect(JobOutcome.classify(httpStatus: 429, retryAfter: "7") == .retry(reason: "HTTP 429", httpStatus: 429, retryAfter: 7))
        #expect(JobOutcome.classify(httpStatus: 503, retryAfter: "7") == .retry(reason: "HTTP 503", httpStatus: 503, retryAfter: 7))
        for status in [400, 401, 403, 404, 410, 422] {
            #expect(JobOutcome.classify(httpStatus: status, retryAfter: nil) == .failed(reason: "HTTP \(status)", httpStatus: status))
        }
        #expect(JobOutcome.classify(httpStatus: 302, retryAfter: nil) == .failed(reason: "HTTP 302: redirects are not followed", httpStatus: 302))
    }
}
