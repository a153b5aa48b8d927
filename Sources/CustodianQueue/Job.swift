import Foundation

/// A job leased to a worker, its payload as stored (JSON).
public struct ClaimedJob: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let payload: String
    /// The attempt now running (1 for the first run).
    public let attempt: Int
    public let maxAttempts: Int

    public init(id: Int64, kind: String, payload: String, attempt: Int, maxAttempts: Int) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.attempt = attempt
        self.maxAttempts = maxAttempts
    }
}

/// A leased job of one kind, with its decoded payload: what a ``JobHandler`` runs.
public struct Job<Kind: JobKind>: Sendable {
    public let id: Int64
    public let payload: Kind.Payload
    /// The attempt now running (1 for the first run).
    public let attempt: Int
    public let maxAttempts: Int

    public init(id: Int64, payload: Kind.Payload, attempt: Int, maxAttempts: Int) {
        self.id = id
        self.payload = payload
        self.attempt = attempt
        self.maxAttempts = maxAttempts
    }

    /// Whether a retry outcome of this run fails the job for good.
    public var isLastAttempt: Bool { attempt >= maxAttempts }
}
