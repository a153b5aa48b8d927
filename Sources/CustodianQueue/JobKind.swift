/// One kind of job: its name in `jobs.kind`, the payload its jobs carry, and how the queue treats them. Declare one
/// type per kind; enqueue with ``JobQueue/enqueue(_:_:uniqueKey:priority:subjectID:on:logger:)`` and run with a
/// ``JobHandler`` whose `Kind` it is.
public protocol JobKind: Sendable {
    /// Ids and codes only, never personal data: the handler reads what it needs when it runs.
    associatedtype Payload: Codable & Sendable

    /// The `jobs.kind` value: `[a-z][a-z0-9_]*`.
    static var name: String { get }
    /// How many times a job of this kind runs before it fails for good.
    static var maximumAttempts: Int { get }
    /// How many jobs of this kind one worker runs at once unless configured otherwise.
    static var defaultConcurrency: Int { get }
}

/// A payload with nothing in it.
public struct EmptyPayload: Codable, Sendable, Equatable {
    public init() {}
}
