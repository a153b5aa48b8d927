import Foundation

/// What became of one run of a job.
public enum JobOutcome: Sendable, Equatable {
    case succeeded
    /// Try again later; `retryAfter` is the partner's own request (Retry-After), if any.
    case retry(reason: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// Never try again.
    case failed(reason: String, httpStatus: Int?)
    /// Wait until the subject's restriction is lifted.
    case held(reason: String)

    /// Classifies a partner's HTTP answer: 2xx succeeds; 408, 425, 429 and 5xx are retried (honouring Retry-After on
    /// 429 and 503); every other status, redirects and 410 Gone included, fails permanently.
    public static func classify(httpStatus status: Int, retryAfter: String?, now: Date = Date()) -> JobOutcome {
        switch status {
        case 200..<300:
            return .succeeded
        case 408, 425, 429, 500..<600:
            let honoured = (status == 429 || status == 503) ? retryAfter.flatMap { RetryPolicy.parseRetryAfter($0, now: now) } : nil
            return .retry(reason: "HTTP \(status)", httpStatus: status, retryAfter: honoured)
        case 300..<400:
            return .failed(reason: "HTTP \(status): redirects are not followed", httpStatus: status)
        default:
            return .failed(reason: "HTTP \(status)", httpStatus: status)
        }
    }
}
