import Logging
import PostgresNIO

/// What the domain does when the queue decides a job's fate without its handler: a lease expired on the last attempt,
/// an operator cancelled or retried it. Each runs on the connection of the queue's own transaction, so the job and
/// what it serves change together. The defaults do nothing.
public protocol JobLifecycle: Sendable {
    /// Jobs of this kind failed for good without their handler saying so (their worker died on the last attempt).
    func failed(jobIDs: [Int64], reason: String, on connection: PostgresConnection, logger: Logger) async throws
    /// A job of this kind was cancelled.
    func cancelled(jobID: Int64, on connection: PostgresConnection, logger: Logger) async throws
    /// A failed job of this kind was made available again.
    func retried(jobID: Int64, on connection: PostgresConnection, logger: Logger) async throws
}

extension JobLifecycle {
    public func failed(jobIDs: [Int64], reason: String, on connection: PostgresConnection, logger: Logger) async throws {}
    public func cancelled(jobID: Int64, on connection: PostgresConnection, logger: Logger) async throws {}
    public func retried(jobID: Int64, on connection: PostgresConnection, logger: Logger) async throws {}
}

/// The lifecycles the domain registered per kind, and the sweeps the rescuer runs after each pass (releasing jobs
/// the domain no longer holds, say). The queue calls them; it never names a domain table itself.
public struct JobHooks: Sendable {
    /// A statement-level task of the domain's, run by the rescuer in its own transaction.
    public typealias Sweep = @Sendable (PostgresConnection, Logger) async throws -> Void

    private var lifecycles: [String: any JobLifecycle] = [:]
    private(set) var sweeps: [Sweep] = []

    public init() {}

    /// Registers what happens to the records a job of `kind` serves.
    public mutating func register<Kind: JobKind>(_ kind: Kind.Type, lifecycle: any JobLifecycle) {
        lifecycles[Kind.name] = lifecycle
    }

    /// Adds a sweep to every rescue pass.
    public mutating func addSweep(_ sweep: @escaping Sweep) {
        sweeps.append(sweep)
    }

    func lifecycle(of kind: String) -> (any JobLifecycle)? {
        lifecycles[kind]
    }
}
