import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// When a subject's data has outlived every purpose it was kept for.
public struct RetentionPolicy: Sendable, Equatable {
    /// No order, consent event, request or change of the record for this many days.
    public let inactiveDays: Int
    /// At most this many subjects are depersonalised in one run (the rest wait for the next period).
    public let batchSize: Int
    /// The regime named on destruction records and erasure requests.
    public let regime: RequestRegime

    public init(inactiveDays: Int, batchSize: Int, regime: RequestRegime) {
        self.inactiveDays = inactiveDays
        self.batchSize = batchSize
        self.regime = regime
    }
}

/// One retention run, as recorded.
public struct RetentionRun: Sendable, Equatable {
    public let periodStart: Date
    public let worker: String
    public let subjectsDepersonalised: Int
}

/// Finds subjects whose every purpose has ended beyond its retention and depersonalises them, once per period.
public struct RetentionRepository: Sendable {
    let database: Database
    let hasher: IdentityHasher?

    public init(database: Database, hasher: IdentityHasher?) {
        self.database = database
        self.hasher = hasher
    }

    /// Runs the period starting at `periodStart` unless a worker already ran (or is running) it: the run's row, the
    /// depersonalisations and their destruction records commit together, so a crashed run leaves the period to another
    /// worker and no period runs twice. Returns the run, or nil when this worker did not run it.
    public func runOnce(periodStart: Date, policy: RetentionPolicy, worker: String) async throws -> RetentionRun? {
        let hasher = hasher
        return try await database.transaction { connection -> RetentionRun? in
            let logger = database.logger
            guard try await connection.query("""
                INSERT INTO retention_runs (period_start, worker) VALUES (\(periodStart), \(worker)) ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).decode(Int.self).first(where: { _ in true }) != nil else { return nil }
            let actor = AuditActor(apiKeyID: nil, requestID: "retention-\(Int(periodStart.timeIntervalSince1970))")
            var count = 0
            for (subjectID, email, phone) in try await Self.expired(policy: policy, on: connection, logger: logger) {
                try await Depersonaliser.depersonalise(
                    subjectID: subjectID, email: email, phone: phone, grounds: .retentionExpired, requestID: nil, regime: policy.regime,
                    hasher: hasher, actor: actor, on: connection, logger: logger)
                count += 1
            }
            try await connection.query("""
                UPDATE retention_runs SET finished_at = now(), subjects_depersonalised = \(Int32(count)) WHERE period_start = \(periodStart)
                """, logger: logger)
            return RetentionRun(periodStart: periodStart, worker: worker, subjectsDepersonalised: count)
        }
    }

    /// Active subjects with no consent in force, nothing pending (requests, shipments), and no activity for the
    /// policy's days, locked `FOR UPDATE` (skipping any another transaction holds), oldest first.
    static func expired(policy: RetentionPolicy, on connection: PostgresConnection, logger: Logger) async throws -> [(UUID, String?, String?)] {
        try await connection.query("""
            SELECT s.id, s.email, s.phone FROM subjects s
            WHERE s.status = 'active'
              AND s.updated_at < now() - make_interval(days => \(Int32(clamping: policy.inactiveDays)))
              AND NOT EXISTS (SELECT 1 FROM consent_states cs WHERE cs.subject_id = s.id
                              AND (cs.action = 'grant' OR cs.occurred_at >= now() - make_interval(days => \(Int32(clamping: policy.inactiveDays)))))
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.subject_id = s.id
                              AND (o.status_changed_at >= now() - make_interval(days => \(Int32(clamping: policy.inactiveDays)))
                                   OR o.status IN ('placed', 'paid', 'shipped')))
              AND NOT EXISTS (SELECT 1 FROM subject_requests q WHERE q.subject_id = s.id
                              AND (q.status IN ('received', 'in_progress') OR q.updated_at >= now() - make_interval(days => \(Int32(clamping: policy.inactiveDays)))))
            ORDER BY s.updated_at, s.id
            LIMIT \(policy.batchSize)
            FOR UPDATE OF s SKIP LOCKED
            """, logger: logger).decode((UUID, String?, String?).self).reduce(into: []) { $0.append($1) }
    }

    /// The recorded runs, newest first.
    public func runs(limit: Int = 20) async throws -> [RetentionRun] {
        try await database.query("""
            SELECT period_start, worker, COALESCE(subjects_depersonalised, 0) FROM retention_runs ORDER BY period_start DESC LIMIT \(limit)
            """).decode((Date, String, Int32).self).reduce(into: []) { $0.append(RetentionRun(periodStart: $1.0, worker: $1.1, subjectsDepersonalised: Int($1.2))) }
    }
}
