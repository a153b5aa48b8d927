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
    public let outcome: Outcome
    /// When to run again, for `retry`.
    public let retryAt: Date?
    /// Never personal data: statuses, codes and fixed messages only.
    public let error: String?
    public let httpStatus: Int?
    public let startedAt: Date
    public let durationMilliseconds: Int

    public init(jobID: Int64, outcome: Outcome, retryAt: Date?, error: String?, httpStatus: Int?, startedAt: Date, durationMilliseconds: Int) {
        self.jobID = jobID
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

    /// Leases up to `limit` due jobs of `kinds` to `owner`, highest priority and oldest first.
    public func claim(kinds: [String], limit: Int, owner: String, lease: Duration) async throws -> [ClaimedJob] {
        try await cycle([], kinds: kinds, limit: limit, owner: owner, lease: lease).claimed
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

    /// Writes a batch of results in one statement, only for jobs `owner` still holds, with one `job_attempts` row
    /// each. A retry past the job's last attempt fails it. Returns the ids written.
    @discardableResult
    public func complete(_ results: [JobResult], owner: String) async throws -> [Int64] {
        guard !results.isEmpty else { return [] }
        return try await cycle(results, kinds: [], limit: 0, owner: owner, lease: .zero).written
    }

    /// What one turn of the queue loop did: the results written and the jobs claimed.
    public struct Cycle: Sendable {
        /// The ids of the jobs whose results were written (those `owner` still held).
        public let written: [Int64]
        /// The jobs claimed, by id.
        public let claimed: [ClaimedJob]
    }

    /// Writes `results` as ``complete(_:owner:)`` does and claims up to `limit` jobs of `kinds` as
    /// ``claim(kinds:limit:owner:lease:)`` does, in one statement: one round trip and one commit per batch instead of
    /// two. The claim is committed before any claimed job runs, as before; it cannot take a job the results free
    /// (a retry becomes available only for the next statement, which sees this one's commit).
    public func cycle(_ results: [JobResult], kinds: [String], limit: Int, owner: String, lease: Duration) async throws -> Cycle {
        // Arrays cannot carry NULLs here: absent values travel as sentinels (epoch, "", 0) and become NULL again.
        let noDate = Date(timeIntervalSince1970: 0)
        var binds = PostgresBindings()
        try binds.append(results.map(\.jobID), context: .default)
        try binds.append(results.map(\.outcome.rawValue), context: .default)
        try binds.append(results.map { $0.retryAt ?? noDate }, context: .default)
        try binds.append(results.map { $0.error ?? "" }, context: .default)
        try binds.append(results.map { Int32($0.httpStatus ?? 0) }, context: .default)
        try binds.append(results.map(\.startedAt), context: .default)
        try binds.append(results.map { Int32(clamping: $0.durationMilliseconds) }, context: .default)
        try binds.append(owner, context: .default)
        try binds.append(kinds, context: .default)
        try binds.append(limit, context: .default)
        try binds.append(lease.secondsValue, context: .default)
        var written: [Int64] = []
        var claimed: [ClaimedJob] = []
        for try await (id, kind, payload, attempt, maxAttempts) in try await database.query(PostgresQuery(unsafeSQL: Self.cycleStatement, binds: binds))
            .decode((Int64, String?, String?, Int?, Int?).self) {
            if let kind, let payload, let attempt, let maxAttempts {
                claimed.append(ClaimedJob(id: id, kind: kind, payload: payload, attempt: attempt, maxAttempts: maxAttempts))
            } else {
                written.append(id)
            }
        }
        return Cycle(written: written, claimed: claimed.sorted { $0.id < $1.id })
    }

    /// One turn of the queue loop: $1 job ids, $2 outcomes, $3 retry times, $4 errors, $5 HTTP statuses, $6 start
    /// times, $7 durations (arrays, one element per result), $8 owner, $9 kinds, $10 limit, $11 lease in seconds.
    /// Writes the results of jobs `owner` still holds with their attempt rows, then leases the next due jobs; the two
    /// updates touch different rows (running ones, available ones). Claimed jobs come back with their kind, written
    /// ones with their id alone. `bench/sql/pgbench-claim-complete.sql` runs the same statement (a test keeps the two
    /// equal).
    public static let cycleStatement = """
        WITH result AS (
            SELECT id, outcome, NULLIF(retry_at, to_timestamp(0)) AS retry_at, NULLIF(error, '') AS error,
                   NULLIF(http_status, 0) AS http_status, started_at, duration_ms
            FROM unnest(
                $1::bigint[], $2::text[],
                $3::timestamptz[], $4::text[],
                $5::integer[], $6::timestamptz[],
                $7::integer[]
            ) AS r(id, outcome, retry_at, error, http_status, started_at, duration_ms)
        ), written AS (
            UPDATE jobs j SET
                state = CASE
                    WHEN r.outcome = 'succeeded' THEN 'succeeded'
                    WHEN r.outcome = 'held' THEN 'held'
                    WHEN r.outcome = 'retry' AND j.attempt < j.max_attempts THEN 'available'
                    ELSE 'failed' END,
                run_at = CASE WHEN r.outcome = 'retry' AND j.attempt < j.max_attempts THEN COALESCE(r.retry_at, now()) ELSE j.run_at END,
                last_error = CASE
                    WHEN r.outcome = 'retry' AND j.attempt >= j.max_attempts THEN left(COALESCE(r.error, '') || ' (no attempts left)', 1000)
                    ELSE left(r.error, 1000) END,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
                finished_at = CASE WHEN r.outcome = 'held' OR (r.outcome = 'retry' AND j.attempt < j.max_attempts) THEN NULL ELSE now() END
            FROM result r
            WHERE j.id = r.id AND j.lease_owner = $8 AND j.state = 'running'
            RETURNING j.id, j.attempt, r.outcome, r.http_status, r.error, r.started_at, r.duration_ms
        ), attempts AS (
            INSERT INTO job_attempts (job_id, attempt, worker, started_at, duration_ms, outcome, http_status, error)
            SELECT id, attempt, $8, started_at, duration_ms, outcome, http_status, left(error, 1000) FROM written
            RETURNING job_id
        ), next AS (
            SELECT id FROM jobs
            WHERE state = 'available' AND kind = ANY($9) AND run_at <= now()
            ORDER BY priority DESC, run_at, id
            LIMIT $10
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, lease_owner = $8,
                lease_expires_at = now() + make_interval(secs => $11), updated_at = now()
            FROM next WHERE j.id = next.id
            RETURNING j.id, j.kind, j.payload::text, j.attempt, j.max_attempts
        )
        SELECT id, kind, payload, attempt, max_attempts FROM claimed
        UNION ALL SELECT job_id, NULL, NULL, NULL, NULL FROM attempts
        """


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
