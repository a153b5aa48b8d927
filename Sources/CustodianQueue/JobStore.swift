import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// The result of one run, to be written with ``JobStore/complete(_:owner:)``.
public struct JobResult: Sendable {
    public enum Outcome: String, Sendable {
        case succeeded, retry, failed
        /// Parked until the subject's restriction is lifted (the attempt that found the restriction is counted).
        case held
    }

    public let jobID: Int64
    /// The attempt that ran: a result is written only while the job is still in that attempt, so a late result
    /// cannot land on a later run of the same job, even one leased to the same owner.
    public let attempt: Int
    public let outcome: Outcome
    /// When to run again, for `retry`.
    public let retryAt: Date?
    /// Never personal data: statuses, codes and fixed messages only.
    public let error: String?
    public let httpStatus: Int?
    public let startedAt: Date
    public let durationMilliseconds: Int

    public init(
        jobID: Int64, attempt: Int, outcome: Outcome, retryAt: Date?, error: String?, httpStatus: Int?, startedAt: Date, durationMilliseconds: Int
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.outcome = outcome
        self.retryAt = retryAt
        self.error = error
        self.httpStatus = httpStatus
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
    }
}

/// The run side of the job queue: claiming with `FOR UPDATE SKIP LOCKED`, leases, batched completions, rescue of
/// expired leases and pruning. Every write is fenced by the lease owner, so a worker whose lease was rescued cannot
/// overwrite the job's newer state. What the domain does when a rescue fails a job is one of its ``JobHooks``.
public struct JobStore: Sendable {
    let database: Database
    let hooks: JobHooks

    public init(database: Database, hooks: JobHooks = JobHooks()) {
        self.database = database
        self.hooks = hooks
    }

    /// Leases up to `limit` due jobs of `kind` to `owner`, highest priority and oldest first.
    public func claim(kind: String, limit: Int, owner: String, lease: Duration) async throws -> [ClaimedJob] {
        try await cycle([], kind: kind, limit: limit, owner: owner, lease: lease).claimed
    }

    /// Extends the leases `owner` still holds; returns the ids it still holds.
    @discardableResult
    public func extendLeases(ids: [Int64], owner: String, lease: Duration) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        return try await database.query("""
            UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(lease.secondsValue)), updated_at = now()
            WHERE id = ANY(\(ids)) AND lease_owner = \(owner) AND state = 'running'
            RETURNING id
            """).decode(Int64.self).reduce(into: []) { $0.append($1) }
    }

    /// Returns jobs `owner` claimed but never started to `available`, as if never claimed (their attempt uncounted).
    public func release(ids: [Int64], owner: String) async throws {
        guard !ids.isEmpty else { return }
        try await database.query("""
            UPDATE jobs SET state = 'available', attempt = attempt - 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE id = ANY(\(ids)) AND lease_owner = \(owner) AND state = 'running'
            """)
    }

    /// Writes a batch of results in one statement, only for jobs `owner` still holds in the results' attempts, with one
    /// `job_attempts` row each. A retry past the job's last attempt fails it. Returns the ids written.
    @discardableResult
    public func complete(_ results: [JobResult], owner: String) async throws -> [Int64] {
        guard !results.isEmpty else { return [] }
        return try await cycle(results, kind: "", limit: 0, owner: owner, lease: .zero).written
    }

    /// What one turn of the queue loop did: the results written and the jobs claimed.
    public struct Cycle: Sendable {
        /// The ids of the jobs whose results were written (those `owner` still held).
        public let written: [Int64]
        /// The jobs claimed, by id.
        public let claimed: [ClaimedJob]
    }

    /// Writes `results` as ``complete(_:owner:)`` does and claims up to `limit` jobs of `kind` as
    /// ``claim(kind:limit:owner:lease:)`` does, in one statement: one round trip and one commit per batch instead of
    /// two. The claim is committed before any claimed job runs, as before; it cannot take a job the results free
    /// (a retry becomes available only for the next statement, which sees this one's commit).
    public func cycle(_ results: [JobResult], kind: String, limit: Int, owner: String, lease: Duration) async throws -> Cycle {
        let rows = try await database.execute(JobCycleStatement(results: results, owner: owner, kind: kind, limit: limit, lease: lease))
        var written: [Int64] = []
        var claimed: [ClaimedJob] = []
        for row in rows {
            switch row {
            case .written(let id): written.append(id)
            case .claimed(let job): claimed.append(job)
            }
        }
        return Cycle(written: written, claimed: claimed.sorted { $0.id < $1.id })
    }


    /// Returns jobs whose lease expired (their worker died or hangs) to `available`, or fails them when they have no
    /// attempts left, telling each kind's ``JobLifecycle`` which of its jobs failed so, in the same transaction; then
    /// runs the domain's sweeps. Returns how many leases were rescued.
    @discardableResult
    public func rescueExpiredLeases() async throws -> Int {
        let hooks = hooks
        return try await database.transaction { connection in
            let logger = database.logger
            var rescued = 0
            var failedByKind: [String: [Int64]] = [:]
            for try await (id, kind, state) in try await connection.query("""
                UPDATE jobs SET
                    state = CASE WHEN attempt < max_attempts THEN 'available' ELSE 'failed' END,
                    last_error = 'lease expired: the worker stopped or hung',
                    finished_at = CASE WHEN attempt < max_attempts THEN NULL ELSE now() END,
                    lease_owner = NULL, lease_expires_at = NULL, run_at = now(), updated_at = now()
                WHERE state = 'running' AND lease_expires_at < now()
                RETURNING id, kind, state
                """, logger: logger).decode((Int64, String, String).self) {
                rescued += 1
                if state == JobState.failed.rawValue { failedByKind[kind, default: []].append(id) }
            }
            for (kind, ids) in failedByKind.sorted(by: { $0.key < $1.key }) {
                try await hooks.lifecycle(of: kind)?.failed(
                    jobIDs: ids, reason: "the worker stopped or hung on the last attempt", on: connection, logger: logger)
            }
            for sweep in hooks.sweeps { try await sweep(connection, logger) }
            return rescued
        }
    }

    /// Deletes succeeded jobs finished more than `retention` ago with their attempts, in batches; returns how many.
    @discardableResult
    public func pruneSucceeded(olderThan retention: Duration, batchSize: Int = 1000) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.query("""
                WITH pruned AS (
                    DELETE FROM jobs WHERE id IN (
                        SELECT id FROM jobs WHERE state = 'succeeded' AND finished_at < now() - make_interval(secs => \(retention.secondsValue))
                        LIMIT \(batchSize)
                    ) RETURNING id
                ), attempts AS (
                    DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM pruned)
                )
                SELECT id FROM pruned
                """).decode(Int64.self).reduce(0) { count, _ in count + 1 }
            total += deleted
            if deleted < batchSize { return total }
        }
    }
}

extension Duration {
    /// Whole and fractional seconds, for SQL intervals.
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
