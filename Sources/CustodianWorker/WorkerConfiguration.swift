import CustodianCore
import CustodianQueue
import CustodianStore

/// How a worker runs: its queue loop, the concurrency of each job kind, its outgoing calls, and retention.
public struct WorkerConfiguration: Sendable {
    public var runner: JobRunnerConfiguration
    /// Jobs run at once by kind name; a kind not listed runs its own default.
    public var concurrency: [String: Int]
    public var outboundPolicy: OutboundAddressPolicy
    public var connectTimeout: Duration
    /// The whole of one outgoing exchange, body included.
    public var outboundTimeout: Duration
    /// Where recipients call back about erasure requests: Custodian's public `…/v1/callbacks/erasure`.
    public var erasureCallbackURL: String
    /// Retention runs once per `period` across all workers; nil turns it off.
    public var retention: (period: Duration, policy: RetentionPolicy)?
    /// The key of the hashes retention keeps of a depersonalised subject's e-mail and phone.
    public var identityHasher: IdentityHasher?
    /// The key privacy-center codes are derived under (`CUSTODIAN_PRIVACY_KEY`, shared with serve); nil sends none.
    public var verificationKey: VerificationCodeKey?

    public init(
        runner: JobRunnerConfiguration = JobRunnerConfiguration(), concurrency: [String: Int] = [:],
        outboundPolicy: OutboundAddressPolicy = OutboundAddressPolicy(), connectTimeout: Duration = .seconds(5),
        outboundTimeout: Duration = .seconds(30), erasureCallbackURL: String,
        retention: (period: Duration, policy: RetentionPolicy)? = nil, identityHasher: IdentityHasher? = nil,
        verificationKey: VerificationCodeKey? = nil
    ) {
        self.runner = runner
        self.concurrency = concurrency
        self.outboundPolicy = outboundPolicy
        self.connectTimeout = connectTimeout
        self.outboundTimeout = outboundTimeout
        self.erasureCallbackURL = erasureCallbackURL
        self.retention = retention
        self.identityHasher = identityHasher
        self.verificationKey = verificationKey
    }


}
