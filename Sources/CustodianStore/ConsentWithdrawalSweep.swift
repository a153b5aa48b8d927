import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// The retention sweep's part for withdrawn consents (issue 22; 152-FZ Art. 21(5)): a subject with a withdrawal whose
/// window (the purpose's retention_days, at most 30) has passed and not yet weighed is decided by
/// ``ConsentWithdrawalRetention`` — the whole record destroyed (the erasure, with its cascade), some categories
/// destroyed, or kept — and its due withdrawals are marked weighed. Subjects with an open request wait until it closes;
/// a restricted subject's data stay blocked, not destroyed.
enum ConsentWithdrawalSweep {
    /// Weighs the subject whose oldest due withdrawal is oldest, if any, in a transaction of its own holding the
    /// subject's row; returns whether there was one.
    static func weighNext(now: Date, regime: RequestRegime, hasher: IdentityHasher?, actor: AuditActor, database: Database) async throws -> Bool {
        let keys = try database.requireKeys()
        return try await database.transaction { connection in
            let logger = database.logger
            guard let (subjectID, storedEmail, storedPhone, kekID, wrapped) = try await connection.query("""
                SELECT s.id, s.email, s.phone, \(unescaped: SubjectKeys.columns)
                FROM consent_states cs JOIN purposes p ON p.code = cs.purpose_code JOIN subjects s ON s.id = cs.subject_id
                \(unescaped: SubjectKeys.join)
                WHERE cs.action = 'withdraw' AND cs.swept_at IS NULL AND p.legal_basis = 'consent'
                  AND cs.occurred_at < \(now)::timestamptz - make_interval(days => LEAST(p.retention_days, \(Int32(ConsentWithdrawalRetention.maximumDays))))
                  AND s.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM subject_requests q WHERE q.subject_id = s.id AND q.status IN ('received', 'in_progress'))
                ORDER BY cs.occurred_at, s.id
                LIMIT 1
                FOR UPDATE OF s SKIP LOCKED
                """, logger: logger).decode((UUID, String?, String?, String?, ByteBuffer?).self).first(where: { _ in true }) else { return false }
            let (email, phone) = try SubjectKeys.identifiers(
                subjectID: subjectID, email: storedEmail, phone: storedPhone, kekID: kekID, wrapped: wrapped, keys: keys)
            let purposes = try await catalogue(on: connection, logger: logger)
            let holdings = try await holdings(of: subjectID, now: now, on: connection, logger: logger)
            switch ConsentWithdrawalRetention.decide(purposes: purposes, holdings: holdings, now: now) {
            case .keep:
                break
            case .eraseSubject(let codes, let days):
                _ = try await Depersonaliser.depersonalise(
                    subjectID: subjectID, email: email, phone: phone, reason: .consentWithdrawn(purposes: codes, days: days),
                    regime: regime, requestID: nil, rule: DestructionAct.withdrawalRule(days: days),
                    hasher: hasher, keys: try database.requireKeys(), actor: actor, on: connection, logger: logger)
            case .destroy(let categories, let codes, let days):
                try await destroy(categories, subjectID: subjectID, purposes: codes, days: days, regime: regime, actor: actor, on: connection, logger: logger)
            }
            try await connection.query("""
                UPDATE consent_states cs SET swept_at = \(now)
                FROM purposes p
                WHERE cs.subject_id = \(subjectID) AND p.code = cs.purpose_code AND cs.action = 'withdraw' AND cs.swept_at IS NULL
                  AND cs.occurred_at < \(now)::timestamptz - make_interval(days => LEAST(p.retention_days, \(Int32(ConsentWithdrawalRetention.maximumDays))))
                """, logger: logger)
            return true
        }
    }

    /// Empties the subject's columns of `categories`, with the destruction act and an audit row.
    private static func destroy(
        _ categories: Set<DataCategory>, subjectID: UUID, purposes: [String], days: Int, regime: RequestRegime, actor: AuditActor,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let columns = Depersonalisation.subjectCategories.filter(categories.contains).map(\.rawValue)
        try await connection.query("""
            UPDATE subjects SET
                full_name = CASE WHEN 'full_name' = ANY(\(columns)) THEN NULL ELSE full_name END,
                email = CASE WHEN 'email' = ANY(\(columns)) THEN NULL ELSE email END,
                email_index = CASE WHEN 'email' = ANY(\(columns)) THEN NULL ELSE email_index END,
                phone = CASE WHEN 'phone' = ANY(\(columns)) THEN NULL ELSE phone END,
                phone_index = CASE WHEN 'phone' = ANY(\(columns)) THEN NULL ELSE phone_index END,
                registration_address = CASE WHEN 'registration_address' = ANY(\(columns)) THEN NULL ELSE registration_address END,
                updated_at = now()
            WHERE id = \(subjectID)
            """, logger: logger)
        try await Depersonaliser.recordAct(
            subjectID: subjectID, requestID: nil, reason: .consentWithdrawn(purposes: purposes, days: days), regime: regime,
            categories: Depersonalisation.subjectCategories.filter(categories.contains), tables: ["subjects"], recipients: [],
            orders: 0, consents: 0, jobs: 0, rule: DestructionAct.withdrawalRule(days: days), actor: actor, on: connection, logger: logger)
        try await AuditRepository.append(action: destroyAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
    }

    static let destroyAction = "subject.withdrawn_data_destroyed"

    private static func catalogue(on connection: PostgresConnection, logger: Logger) async throws -> [ConsentWithdrawalRetention.Purpose] {
        try await connection.query("SELECT code, legal_basis, data_categories, retention_days FROM purposes", logger: logger)
            .decode((String, String, [String], Int).self).reduce(into: []) { purposes, row in
                guard let basis = LegalBasis(rawValue: row.1) else { return }
                purposes.append(.init(code: row.0, basis: basis, categories: Set(row.2.compactMap(DataCategory.init(rawValue:))), retentionDays: row.3))
            }
    }

    private static func holdings(of subjectID: UUID, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> ConsentWithdrawalRetention.Holdings {
        guard let (name, email, phone, address, hasAccount, ordersInRetention, openRequests) = try await connection.query("""
            SELECT s.full_name IS NOT NULL, s.email IS NOT NULL, s.phone IS NOT NULL, s.registration_address IS NOT NULL, s.has_account,
                   EXISTS (SELECT 1 FROM orders o LEFT JOIN purposes p ON p.code = \(PurposeCode.orderFulfilment)
                           WHERE o.subject_id = s.id
                             AND (o.status IN ('placed', 'paid', 'shipped')
                                  OR o.status_changed_at >= \(now)::timestamptz - make_interval(days => COALESCE(p.retention_days, 36500)))),
                   EXISTS (SELECT 1 FROM subject_requests q WHERE q.subject_id = s.id AND q.status IN ('received', 'in_progress'))
            FROM subjects s WHERE s.id = \(subjectID)
            """, logger: logger).decode((Bool, Bool, Bool, Bool, Bool, Bool, Bool).self).first(where: { _ in true })
        else { throw StoreError.unexpectedlyEmpty }
        let held = Set(zip(Depersonalisation.subjectCategories, [name, email, phone, address]).filter(\.1).map(\.0))
        let consents = try await connection.query("""
            SELECT purpose_code, action, occurred_at FROM consent_states WHERE subject_id = \(subjectID)
            """, logger: logger).decode((String, String, Date).self).reduce(into: [String: ConsentWithdrawalRetention.ConsentState]()) { states, row in
                guard let action = ConsentAction(rawValue: row.1) else { return }
                states[row.0] = .init(action: action, occurredAt: row.2)
            }
        return .init(held: held, hasAccount: hasAccount, ordersInRetention: ordersInRetention, openRequests: openRequests, consents: consents)
    }
}
