import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A job as the DPO sees it.
public struct JobRecord: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let state: JobState
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
    public let counts: [(kind: String, state: JobState, count: Int)]
    public let oldestAvailableAgeSeconds: Double?

    public static func == (lhs: JobStatistics, rhs: JobStatistics) -> Bool {
        lhs.counts.elementsEqual(rhs.counts) { $0 == $1 } && lhs.oldestAvailableAgeSeconds == rhs.oldestAvailableAgeSeconds
    }
}

/// Why a retry or cancel changed nothing.
public enum JobCommandRefusal: Error, Sendable, Equatable {
    case notFound
    /// The job is in a state the command does not apply to; `allowed` are those it applies to.
    case wrongState(JobState, command: JobAdministration.Command, allowed: [JobState])
}

/// An operator's view of and commands on the queue. A retry or cancel runs the kind's ``JobLifecycle`` and the
/// caller's `alongside` (an audit row, say) in the command's transaction.
public struct JobAdministration: Sendable {
    let database: Database
    let hooks: JobHooks

    /// The two commands, for what runs alongside them.
    public enum Command: String, Sendable {
        case retry = "job.retry"
        case cancel = "job.cancel"
    }

    static let columns = """
        id, kind, state, payload::text, priority, attempt, max_attempts, run_at, lease_owner, lease_expires_at, unique_key,
        last_error, created_at, updated_at, finished_at
        """

    public init(database: Database, hooks: JobHooks) {
        self.database = database
        self.hooks = hooks
    }

    /// Jobs by id, optionally of one state and kind, after `afterID`.
    public func list(state: JobState?, kind: String?, afterID: Int64?, limit: Int) async throws -> [JobRecord] {
        let state = state?.rawValue
        return try await Self.decode(database.query("""
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
    public func retry(
        id: Int64, alongside: @escaping @Sendable (Command, JobRecord, PostgresConnection, Logger) async throws -> Void
    ) async throws -> JobRecord {
        try await command(.retry, id: id, allowedStates: [.failed], alongside: alongside, update: """
            state = 'available', run_at = now(), max_attempts = GREATEST(max_attempts, attempt + 1), finished_at = NULL
            """)
    }

    /// Cancels a job that has not finished; a running job's worker can then no longer complete it.
    public func cancel(
        id: Int64, alongside: @escaping @Sendable (Command, JobRecord, PostgresConnection, Logger) async throws -> Void
    ) async throws -> JobRecord {
        try await command(.cancel, id: id, allowedStates: [.available, .running, .held, .failed], alongside: alongside, update: """
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
        return JobStatistics(counts: try counts.map { (kind: $0.0, state: try Self.state($0.1), count: $0.2) }, oldestAvailableAgeSeconds: oldest)
    }

    private func command(
        _ command: Command, id: Int64, allowedStates: [JobState],
        alongside: @escaping @Sendable (Command, JobRecord, PostgresConnection, Logger) async throws -> Void, update: String
    ) async throws -> JobRecord {
        let hooks = hooks
        return try await database.transaction { connection in
            let logger = database.logger
            guard let stored = try await connection.query("SELECT state FROM jobs WHERE id = \(id) FOR UPDATE", logger: logger)
                .decode(String.self).first(where: { _ in true }) else { throw JobCommandRefusal.notFound }
            let state = try Self.state(stored)
            guard allowedStates.contains(state) else { throw JobCommandRefusal.wrongState(state, command: command, allowed: allowedStates) }
            let rows = try await connection.query(
                "UPDATE jobs SET \(unescaped: update), updated_at = now() WHERE id = \(id) RETURNING \(unescaped: Self.columns)", logger: logger)
            guard let job = try await Self.decode(rows).first else { throw JobTableInconsistency(description: "the updated job vanished") }
            let lifecycle = hooks.lifecycle(of: job.kind)
            switch command {
            case .retry:
                try await lifecycle?.retried(jobID: id, on: connection, logger: logger)
                try await JobQueue.notify(kinds: [job.kind], on: connection, logger: logger)
            case .cancel:
                try await lifecycle?.cancelled(jobID: id, on: connection, logger: logger)
            }
            try await alongside(command, job, connection, logger)
            return job
        }
    }

    static func state(_ stored: String) throws -> JobState {
        guard let state = JobState(rawValue: stored) else { throw JobTableInconsistency(description: "unknown job state") }
        return state
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [JobRecord] {
        var jobs: [JobRecord] = []
        for try await (id, kind, stateText, payload, priority, attempt, maxAttempts, runAt, owner, leaseExpiry, uniqueKey, lastError, createdAt, updatedAt, finishedAt)
            in rows.decode((Int64, String, String, String, Int16, Int, Int, Date, String?, Date?, String?, String?, Date, Date, Date?).self) {
            jobs.append(JobRecord(
                id: id, kind: kind, state: try Self.state(stateText),
                payload: (try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8))) ?? [:],
                priority: Int(priority), attempt: attempt, maxAttempts: maxAttempts, runAt: runAt, leaseOwner: owner,
                leaseExpiresAt: leaseExpiry, uniqueKey: uniqueKey, lastError: lastError, createdAt: createdAt, updatedAt: updatedAt,
                finishedAt: finishedAt))
        }
        return jobs
    }
}

/// The jobs table holds what the queue never writes: a broken invariant.
public struct JobTableInconsistency: Error, CustomStringConvertible {
    public let description: String
}
