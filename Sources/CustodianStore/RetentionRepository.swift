import CustodianCore
import CustodianDatabase
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

    /// Runs the period starting at `periodStart` unless a worker already claimed it: the claim (the period's row)
    /// commits first, so no period runs twice; then, as of `now`, each expired subject is depersonalised, with its
    /// destruction record, in a transaction of its own, up to the policy's batch; so is each order's delivery block
    /// once the delivery purpose's retention has passed (``DeliveryBlockRetention``); so is each subject with a
    /// withdrawal whose window has passed (``ConsentWithdrawalSweep``); and the destruction acts older
    /// than ``DestructionAct/retentionYears`` are pruned, and so are the keys of erasure cascades that no longer hold
    /// identities (``ErasureKeys``). A run that stops half-way leaves the rest to the next period.
    /// Returns the run, or nil when this worker did not run it.
    public func runOnce(periodStart: Date, policy: RetentionPolicy, worker: String, now: Date = Date()) async throws -> RetentionRun? {
        guard try await database.query("""
            INSERT INTO retention_runs (period_start, worker) VALUES (\(periodStart), \(worker)) ON CONFLICT DO NOTHING RETURNING 1
            """).decode(Int.self).first(where: { _ in true }) != nil else { return nil }
        let actor = AuditActor(apiKeyID: nil, requestID: "retention-\(Int(periodStart.timeIntervalSince1970))")
        var count = 0
        while count < policy.batchSize, try await depersonaliseNextExpired(policy: policy, now: now, actor: actor) {
            count += 1
        }
        var blocks = 0
        while blocks < policy.batchSize, try await DeliveryBlockRetention.clearNext(now: now, regime: policy.regime, actor: actor, database: database) {
            blocks += 1
        }
        var weighed = 0
        while weighed < policy.batchSize,
              try await ConsentWithdrawalSweep.weighNext(now: now, regime: policy.regime, hasher: hasher, actor: actor, database: database) {
            weighed += 1
        }
        _ = try await database.transaction { connection in
            try await DestructionActRepository.prune(now: now, on: connection, logger: database.logger)
        }
        try await PrivacyVerificationRepository(database: database).prune(now: now)
        _ = try await ErasureKeys.pruneSettled(on: database)
        try await database.query("""
            UPDATE retention_runs SET finished_at = now(), subjects_depersonalised = \(Int32(count)) WHERE period_start = \(periodStart)
            """)
        return RetentionRun(periodStart: periodStart, worker: worker, subjectsDepersonalised: count)
    }

    /// Depersonalises the expired subject inactive longest, if any; returns whether there was one.
    private func depersonaliseNextExpired(policy: RetentionPolicy, now: Date, actor: AuditActor) async throws -> Bool {
        let hasher = hasher
        return try await database.transaction { connection in
            let logger = database.logger
            guard let (subjectID, email, phone) = try await Self.nextExpired(policy: policy, now: now, keys: try database.requireKeys(), on: connection, logger: logger) else { return false }
            _ = try await Depersonaliser.depersonalise(
                subjectID: subjectID, email: email, phone: phone, reason: .retentionExpired(inactiveDays: policy.inactiveDays),
                regime: policy.regime, requestID: nil, rule: DestructionAct.sweepRule(inactiveDays: policy.inactiveDays),
                hasher: hasher, keys: try database.requireKeys(), actor: actor, on: connection, logger: logger)
            return true
        }
    }

    /// The active subject with no consent in force (cross-border transfer, a condition of others, does not count), nothing open (orders, requests) and no activity for the policy's
    /// days that was inactive longest (a withdrawal is no activity: it ends a purpose, it does not prolong the record), locked `FOR UPDATE` (skipping any another transaction holds).
    static func nextExpired(
        policy: RetentionPolicy, now: Date, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> (UUID, String?, String?)? {
        guard let (id, email, phone, kekID, wrapped) = try await connection.query("""
            SELECT s.id, s.email, s.phone, \(unescaped: SubjectKeys.columns) FROM subjects s \(unescaped: SubjectKeys.join)
            WHERE s.status = 'active'
              AND s.updated_at < \(now)::timestamptz - make_interval(days => \(Int32(clamping: policy.inactiveDays)))
              AND NOT EXISTS (SELECT 1 FROM consent_states cs WHERE cs.subject_id = s.id AND cs.action = 'grant'
                              AND cs.purpose_code <> \(PurposeCode.crossBorderTransfer))
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.subject_id = s.id
                              AND (o.status_changed_at >= \(now)::timestamptz - make_interval(days => \(Int32(clamping: policy.inactiveDays)))
                                   OR o.status IN ('placed', 'paid', 'shipped')))
              AND NOT EXISTS (SELECT 1 FROM subject_requests q WHERE q.subject_id = s.id
                              AND (q.status IN ('received', 'in_progress') OR q.updated_at >= \(now)::timestamptz - make_interval(days => \(Int32(clamping: policy.inactiveDays)))))
            ORDER BY s.updated_at, s.id
            LIMIT 1
            FOR UPDATE OF s SKIP LOCKED
            """, logger: logger).decode((UUID, String?, String?, String?, ByteBuffer?).self).first(where: { _ in true }) else { return nil }
        let identifiers = try SubjectKeys.identifiers(subjectID: id, email: email, phone: phone, kekID: kekID, wrapped: wrapped, keys: keys)
        return (id, identifiers.email, identifiers.phone)
    }

    /// The recorded runs, newest first.
    public func runs(limit: Int = 20) async throws -> [RetentionRun] {
        try await database.query("""
            SELECT period_start, worker, COALESCE(subjects_depersonalised, 0) FROM retention_runs ORDER BY period_start DESC LIMIT \(limit)
            """).decode((Date, String, Int32).self).reduce(into: []) { $0.append(RetentionRun(periodStart: $1.0, worker: $1.1, subjectsDepersonalised: Int($1.2))) }
    }
}
