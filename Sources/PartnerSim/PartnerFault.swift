import Foundation

/// How one PartnerSim endpoint misbehaves, set with `POST /_faults` (a new profile replaces the endpoint's old one;
/// a profile with only `endpoint` clears it). Faults apply after the signature check, in this order: latency, a
/// redirect, hanging, a fixed status, then the random ones (errors, throttling, hanging, by their rates); a request that gets
/// past them is recorded and answered normally.
public struct PartnerFault: Codable, Sendable, Equatable {
    public var endpoint: String
    /// Answer the next `count` requests (every request when `count` is absent) with this status (and `Retry-After` when given).
    public var status: Int?
    public var count: Int?
    public var retryAfterSeconds: Int?
    /// Delay every answer by this long.
    public var latencyMilliseconds: Int?
    /// Answer this share of requests (0–1) with 500 or 503 at random.
    public var errorRate: Double?
    /// Answer this share of requests (0–1) with 429 and `Retry-After: 1`.
    public var throttleRate: Double?
    /// Never answer this share of requests (0–1): the client's timeout ends them.
    public var hangRate: Double?
    /// Never answer the next `count` requests (every request when `count` is absent): the connection stays open.
    public var hang: Bool?
    /// Answer every request with 307 Temporary Redirect to this URL (a client that follows it resends the request there).
    public var redirectTo: String?
    /// `/opendsr/requests` only: answer 202, then send the signed `completed` callback after this delay.
    public var callbackAfterMilliseconds: Int?

    enum CodingKeys: String, CodingKey {
        case endpoint, status, count, hang
        case retryAfterSeconds = "retry_after_seconds"
        case latencyMilliseconds = "latency_ms"
        case errorRate = "error_rate"
        case throttleRate = "throttle_rate"
        case hangRate = "hang_rate"
        case redirectTo = "redirect_to"
        case callbackAfterMilliseconds = "callback_after_ms"
    }

    public init(
        endpoint: String, status: Int? = nil, count: Int? = nil, retryAfterSeconds: Int? = nil, latencyMilliseconds: Int? = nil,
        errorRate: Double? = nil, throttleRate: Double? = nil, hangRate: Double? = nil, hang: Bool? = nil, redirectTo: String? = nil,
        callbackAfterMilliseconds: Int? = nil
    ) {
        self.endpoint = endpoint
        self.status = status
        self.count = count
        self.retryAfterSeconds = retryAfterSeconds
        self.latencyMilliseconds = latencyMilliseconds
        self.errorRate = errorRate
        self.throttleRate = throttleRate
        self.hangRate = hangRate
        self.hang = hang
        self.redirectTo = redirectTo
        self.callbackAfterMilliseconds = callbackAfterMilliseconds
    }

    /// What to do with one request, consuming a counted use.
    enum Decision: Equatable {
        case hang
        case answer(status: Int, retryAfterSeconds: Int?)
        case redirect(location: String)
        case proceed
    }

    mutating func decide() -> Decision {
        if let redirectTo { return .redirect(location: redirectTo) }
        if hang == true {
            guard let remaining = count else { return .hang }
            if remaining > 0 {
                count = remaining - 1
                return .hang
            }
        } else if let status {
            guard let remaining = count else { return .answer(status: status, retryAfterSeconds: retryAfterSeconds) }
            if remaining > 0 {
                count = remaining - 1
                return .answer(status: status, retryAfterSeconds: retryAfterSeconds)
            }
        }
        // One draw decides among the random faults: [0, error) errors, then throttling, then hanging.
        let draw = Double.random(in: 0..<1)
        let error = errorRate ?? 0
        let throttle = error + (throttleRate ?? 0)
        switch draw {
        case ..<error: return .answer(status: Bool.random() ? 500 : 503, retryAfterSeconds: nil)
        case ..<throttle: return .answer(status: 429, retryAfterSeconds: 1)
        case ..<(throttle + (hangRate ?? 0)): return .hang
        default: return .proceed
        }
    }
}
