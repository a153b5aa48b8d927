import Foundation
import Logging
import PostgresNIO

/// A job as the DPO sees it.
public struct JobRecord: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let state: String
    public let payload: [String: String]
    public let priority: Int
    public let attempt: Int
    public let maxAttempts: Int
    public let runAt: Date
    public let leaseOwner: String?
    public let leaseExpiresAt: Date?
    public let uniqueKey: String?
    public let lastError: String?
    public let createdAt: Date
    public let updatedAt: Date
    public let finishedAt: Date?
}

/// One recorded run of a job.
public struct JobAttemptRecord: Sendable, Equatable {
    public let attempt: Int
    public let worker: String
    public let startedAt: Date
    public let durationMilliseconds: Int
    public let outcome: String
    public let httpStatus: Int?
    public let error: String?
}

/// Counts of jobs by kind and state, and how long the oldest due job has waited.
public struct JobStatistics: Sendable, Equatable {
    public let counts: [(kind: String, state: String, count: Int)]
    public let oldestAvailableAgeSeconds: Double?

    public static func == (lhs: JobStatistics, rhs: JobStatistics) -> Bool {
        lhs.counts.elementsEqual(rhs.counts) { $0 == $1 } && lhs.oldestAvailableAgeSeconds == rhs.oldestAvailableAgeSeconds
    }
}

/// What happened to a retry or cancel request.
public enum JobCommandResult: Sendable, Equatable {
    case done(JobRecord)
    case notFound
    /// The job is in a state the command does not apply to.
    case wrongState(String)
}

/// The DPO's view of and commands on the queue; retries and cancellations are audited.
public struct JobAdministration: Sendable {
    let database: Database

    public enum Action {
        public static let retry = "job.retry"
        public static let cancel = "job.cancel"
    }

    static let columns = """
        id, kind, state, payload::text, priority, attempt, max_attempts, run_at, lease_owner, lease_expires_at, unique_key,
        last_error, created_at, updated_at, finished_at
        """

    public init(database: Database) {
        self.database = database
    }

    /// Jobs by id, optionally of one state and kind, after `afterID`.
    public func list(state: String?, kind: String?, afterID: Int64?, limit: Int) async throws -> [JobRecord] {
        try await Self.decode(database.query("""
            SELECT \(unescaped: Self.columns) FROM jobs
            WHERE (\(state)::text IS NULL OR state = \(state)) AND (\(kind)::text IS NULL OR kind = \(kind)) AND id > \(afterID ?? 0)
            ORDER BY id LIMIT \(limit)
            """))
    }

    /// One job with its attempts, oldest first.
    public func find(id: Int64) async throws -> (JobRecord, [JobAttemptRecord])? {
        guard let job = try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM jobs WHERE id = \(id)")).first else {
            return nil
        }
        var attempts: [JobAttemptRecord] = []
        for try await (attempt, worker, startedAt, duration, outcome, status, error) in try await database.query("""
            SELECT attempt, worker, started_at, duration_ms, outcome, http_status, error FROM job_attempts WHERE job_id = \(id) ORDER BY attempt
            """).decode((Int, String, Date, Int, String, Int?, String?).self) {
            attempts.append(JobAttemptRecord(
                attempt: attempt, worker: worker, startedAt: startedAt, durationMilliseconds: duration, outcome: outcome,
                httpStatus: status, error: error))
        }
        return (job, attempts)
    }

    /// Makes a failed job available again now, with one more attempt than it has used.
    public func retry(id: Int64, actor: AuditActor) async throws -> JobCommandResult {
        try await command(id: id, allowedStates: ["failed"], action: Action.retry, actor: actor, update: """
            state = 'available', run_at = now(), max_attempts = GREATEST(max_attempts, attempt + 1), finished_at = NULL
            """)
    }

    /// Cancels a job that has not finished; a running job's worker can then no longer complete it.
    public func cancel(id: Int64, actor: AuditActor) async throws -> JobCommandResult {
        try await command(id: id, allowedStates: ["available", "running", "held", "failed"], action: Action.cancel, actor: actor, update: """
            state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
            """)
    }

    public func statistics() async throws -> JobStatistics {
        var counts: [(String, String, Int)] = []
        for try await row in try await database.query(
            "SELECT kind, state, count(*) FROM jobs GROUP BY kind, state ORDER BY kind, state"
        ).decode((String, String, Int).self) {
            counts.append(row)
        }
        let oldest = try await database.query("""
            SELECT EXTRACT(EPOCH FROM now() - min(run_at))::float8 FROM jobs WHERE state = 'available' AND run_at <= now()
            """).decode(Double?.self).first(where: { _ in true }) ?? nil
        return JobStatistics(counts: counts.map { (kind: $0.0, state: $0.1, count: $0.2) }, oldestAvailableAgeSeconds: oldest)
    }

    private func command(id: Int64, allowedStates: [String], action: String, actor: AuditActor, update: String) async throws -> JobCommandResult {
        try await database.transaction { connection in
            let logger = database.logger
            guard let state = try await connection.query("SELECT state FROM jobs WHERE id = \(id) FOR UPDATE", logger: logger)
                .decode(String.self).first(where: { _ in true }) else { return .notFound }
            guard allowedStates.contains(state) else { return .wrongState(state) }
            let rows = try await connection.query(
                "UPDATE jobs SET \(unescaped: update), updated_at = now() WHERE id = \(id) RETURNING \(unescaped: Self.columns)", logger: logger)
            guard let job = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
            try await AuditRepository.append(action: action, subjectID: nil, actor: actor, on: connection, logger: logger)
            try await Self.updateRecordsServed(byJob: id, action: action, on: connection, logger: logger)
            if action == Action.retry {
                try await connection.query("SELECT pg_notify(\(JobQueue.notificationChannel), \(job.kind))", logger: logger)
            }
            return .done(job)
        }
    }

    /// Keeps what a job works for in step with a command on the job: a cancelled job cancels its pending shipment or
    /// erasure request (clearing the identities it held); a retried job makes its failed one pending again.
    static func updateRecordsServed(byJob id: Int64, action: String, on connection: PostgresConnection, logger: Logger) async throws {
        switch action {
        case Action.cancel:
            try await connection.query("""
                UPDATE shipments SET status = 'cancelled', failure_reason = 'the transfer job was cancelled', updated_at = now()
                WHERE job_id = \(id) AND status = 'pending'
                """, logger: logger)
            try await connection.query("""
                UPDATE erasure_requests SET status = 'cancelled', identities = NULL, failure_reason = 'the erasure job was cancelled',
                    updated_at = now()
                WHERE job_id = \(id) AND status IN ('pending', 'failed')
                """, logger: logger)
            try await connection.query("""
                UPDATE rectification_notices SET status = 'cancelled', identities = NULL, failure_reason = 'the notice job was cancelled',
                    updated_at = now()
                WHERE job_id = \(id) AND status IN ('pending', 'failed')
                """, logger: logger)
        case Action.retry:
            try await connection.query("""
                UPDATE shipments SET status = 'pending', failure_reason = NULL, updated_at = now() WHERE job_id = \(id) AND status = 'failed'
                """, logger: logger)
            try await connection.query("""
                UPDATE erasure_requests SET status = 'pending', failure_reason = NULL, updated_at = now()
                WHERE job_id = \(id) AND status = 'failed' AND identities IS NOT NULL
                """, logger: logger)
            try await connection.query("""
                UPDATE rectification_notices SET status = 'pending', failure_reason = NULL, updated_at = now()
                WHERE job_id = \(id) AND status = 'failed' AND identities IS NOT NULL
                """, logger: logger)
        default:
            break
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var jobs: [JobRecord] = []
        for try await (id, kind, state, payload, priority, attempt, maxAttempts, runAt, owner, leaseExpiry, uniqueKey, lastError, createdAt, updatedAt, finishedAt)
            in rows.decode((Int64, String, String, String, Int16, Int, Int, Date, String?, Date?, String?, String?, Date, Date, Date?).self) {
            jobs.append(JobRecord(
                id: id, kind: kind, state: state,
                payload: (try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8))) ?? [:],
                priority: Int(priority), attempt: attempt, maxAttempts: maxAttempts, runAt: runAt, leaseOwner: owner,
                leaseExpiresAt: leaseExpiry, uniqueKey: uniqueKey, lastError: lastError, createdAt: createdAt, updatedAt: updatedAt,
                finishedAt: finishedAt))
        }
        return jobs
    }
}
