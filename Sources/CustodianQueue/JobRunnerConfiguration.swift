import Foundation

/// How a worker drains the queue.
public struct JobRunnerConfiguration: Sendable {
    /// Who holds a lease: unique per worker process.
    public var owner: String
    /// How long a claimed job is leased; the lease is extended every third of it while the job runs.
    public var lease: Duration
    /// How often to look for due jobs when no notification arrives (retries become due without one).
    public var pollInterval: Duration
    /// How often expired leases are rescued.
    public var rescueInterval: Duration
    /// How long succeeded jobs are kept before pruning.
    public var succeededRetention: Duration
    public var retryPolicy: RetryPolicy
    /// How often the listening connection must answer, and within how long, before it counts as lost.
    public var listenerHeartbeat: (every: Duration, answerWithin: Duration)

    public init(
        owner: String = JobRunnerConfiguration.defaultOwner(), lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1),
        rescueInterval: Duration = .seconds(15), succeededRetention: Duration = .seconds(24 * 3600), retryPolicy: RetryPolicy = RetryPolicy(),
        listenerHeartbeat: (every: Duration, answerWithin: Duration) = (.seconds(10), .seconds(5))
    ) {
        self.owner = owner
        self.lease = lease
        self.pollInterval = pollInterval
        self.rescueInterval = rescueInterval
        self.succeededRetention = succeededRetention
        self.retryPolicy = retryPolicy
        self.listenerHeartbeat = listenerHeartbeat
    }

    /// host-pid-random: distinct for every worker process, readable in `lease_owner` and `job_attempts.worker`.
    public static func defaultOwner() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt16.random(in: 0...UInt16.max))"
    }
}
