import Foundation

/// How one PartnerSim endpoint misbehaves, set with `POST /_faults` (a new profile replaces the endpoint's old one;
/// a profile with only `endpoint` clears it). Faults apply after the signature check, in this order: latency,
/// hanging, a fixed status, random errors; a request that gets past them is recorded and answered normally.
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
    /// Never answer the next `count` requests (every request when `count` is absent): the connection stays open.
    public var hang: Bool?
    /// `/opendsr/requests` only: answer 202, then send the signed `completed` callback after this delay.
    public var callbackAfterMilliseconds: Int?

    enum CodingKeys: String, CodingKey {
        case endpoint, status, count, hang
        case retryAfterSeconds = "retry_after_seconds"
        case latencyMilliseconds = "latency_ms"
        case errorRate = "error_rate"
        case callbackAfterMilliseconds = "callback_after_ms"
    }

    public init(
        endpoint: String, status: Int? = nil, count: Int? = nil, retryAfterSeconds: Int? = nil, latencyMilliseconds: Int? = nil,
        errorRate: Double? = nil, hang: Bool? = nil, callbackAfterMilliseconds: Int? = nil
    ) {
        self.endpoint = endpoint
        self.status = status
        self.count = count
        self.retryAfterSeconds = retryAfterSeconds
        self.latencyMilliseconds = latencyMilliseconds
        self.errorRate = errorRate
        self.hang = hang
        self.callbackAfterMilliseconds = callbackAfterMilliseconds
    }

    /// What to do with one request, consuming a counted use.
    enum Decision: Equatable {
        case hang
        case answer(status: Int, retryAfterSeconds: Int?)
        case proceed
    }

    mutating func decide() -> Decision {
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
        if let errorRate, Double.random(in: 0..<1) < errorRate {
            return .answer(status: Bool.random() ? 500 : 503, retryAfterSeconds: nil)
        }
        return .proceed
    }
}
