import Foundation
import PostgresNIO

/// One turn of the queue loop: $1 job ids, $2 outcomes, $3 retry times, $4 errors, $5 HTTP statuses, $6 start
/// times, $7 durations, $8 attempts (arrays, one element per result), $9 owner, $10 kind, $11 limit, $12 lease in
/// seconds. Writes the results of jobs `owner` still holds in the attempt they ran as, with their attempt rows, then leases the next due jobs; the two
/// updates touch different rows (running ones, available ones). Claimed jobs come back with their kind, written
/// ones with their id alone. Prepared once per connection, so the server parses and plans it once, not every turn.
/// `bench/sql/pgbench-claim-complete.sql` runs the same statement (a test keeps the two equal).
public struct JobCycleStatement: PostgresPreparedStatement {
    /// A row of the statement's answer: a result written, or a job claimed.
    public enum Row: Sendable {
        case written(Int64)
        case claimed(ClaimedJob)
    }

    let results: [JobResult]
    let owner: String
    let kind: String
    let limit: Int
    let lease: Duration

    /// Writes `results` for `owner` and claims up to `limit` jobs of `kind` leased for `lease`.
    public init(results: [JobResult], owner: String, kind: String, limit: Int, lease: Duration) {
        self.results = results
        self.owner = owner
        self.kind = kind
        self.limit = limit
        self.lease = lease
    }

    public func makeBindings() throws -> PostgresBindings {
        // Arrays cannot carry NULLs here: absent values travel as sentinels (epoch, "", 0) and become NULL again.
        let noDate = Date(timeIntervalSince1970: 0)
        var binds = PostgresBindings(capacity: 12)
        binds.append(results.map(\.jobID), context: .default)
        binds.append(results.map(\.outcome.rawValue), context: .default)
        binds.append(results.map { $0.retryAt ?? noDate }, context: .default)
        binds.append(results.map { $0.error ?? "" }, context: .default)
        binds.append(results.map { Int32($0.httpStatus ?? 0) }, context: .default)
        binds.append(results.map(\.startedAt), context: .default)
        binds.append(results.map { Int32(clamping: $0.durationMilliseconds) }, context: .default)
        binds.append(results.map { Int32(clamping: $0.attempt) }, context: .default)
        binds.append(owner, context: .default)
        binds.append(kind, context: .default)
        binds.append(limit, context: .default)
        binds.append(lease.secondsValue, context: .default)
        return binds
    }

    public func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, kind, payload, attempt, maxAttempts) = try row.decode((Int64, String?, String?, Int?, Int?).self)
        guard let kind, let payload, let attempt, let maxAttempts else { return .written(id) }
        return .claimed(ClaimedJob(id: id, kind: kind, payload: payload, attempt: attempt, maxAttempts: maxAttempts))
    }

    public static let sql = """
    WITH result AS (
        SELECT id, outcome, NULLIF(retry_at, to_timestamp(0)) AS retry_at, NULLIF(error, '') AS error,
               NULLIF(http_status, 0) AS http_status, started_at, duration_ms, attempt
        FROM unnest(
            $1::bigint[], $2::text[],
            $3::timestamptz[], $4::text[],
            $5::integer[], $6::timestamptz[],
            $7::integer[], $8::integer[]
        ) AS r(id, outcome, retry_at, error, http_status, started_at, duration_ms, attempt)
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
        WHERE j.id = r.id AND j.lease_owner = $9 AND j.state = 'running' AND j.attempt = r.attempt
        RETURNING j.id, j.attempt, r.outcome, r.http_status, r.error, r.started_at, r.duration_ms
    ), attempts AS (
        INSERT INTO job_attempts (job_id, attempt, worker, started_at, duration_ms, outcome, http_status, error)
        SELECT id, attempt, $9, started_at, duration_ms, outcome, http_status, left(error, 1000) FROM written
        RETURNING job_id
    ), next AS (
        SELECT id FROM jobs
        WHERE state = 'available' AND kind = $10 AND run_at <= now()
        ORDER BY priority DESC, run_at, id
        LIMIT $11
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, lease_owner = $9,
            lease_expires_at = now() + make_interval(secs => $12), updated_at = now()
        FROM next WHERE j.id = next.id
        RETURNING j.id, j.kind, j.payload::text, j.attempt, j.max_attempts
    )
    SELECT id, kind, payload, attempt, max_attempts FROM claimed
    UNION ALL SELECT job_id, NULL, NULL, NULL, NULL FROM attempts
    """
}
