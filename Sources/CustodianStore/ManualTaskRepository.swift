import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// The evidence a closed task was closed with.
public struct ManualTaskClosure: Sendable, Equatable {
    public let performedBy: String
    public let performedAt: Date
    public let method: TaskMethod
    public let reference: String
    public let note: String?
    public let closedAt: Date
}

/// A DPO task to tell a manual recipient something, as listed.
public struct ManualTaskRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open, closed, cancelled
    }

    public let id: UUID
    public let kind: ManualTaskKind
    public let status: Status
    public let recipientID: UUID
    public let recipientCode: String
    public let recipientName: String
    public let subjectID: UUID
    /// The erasure request or notice the task serves.
    public let servedID: UUID
    public let createdAt: Date
    public let closure: ManualTaskClosure?
    public let cancelReason: String?
}

/// A task as the DPO reads it to carry it out: the text to send (rendered in the recipient's language; nil once the
/// task is no longer open, since its identities are gone), the identities the recipient holds, and where to send it.
public struct ManualTaskDetail: Sendable, Equatable {
    public let task: ManualTaskRecord
    public let contact: String?
    public let language: TaskLanguage
    public let identities: [OpenDSRIdentity]
    public let message: ManualTaskMessage?
}

/// Closing a task failed for a reason the DPO can act on.
public enum ManualTaskFailure: Error, Equatable {
    /// The task is closed or cancelled already.
    case notOpen(ManualTaskRecord.Status)
    /// A new disclosure (rectified values, a grant) may not go while the subject is restricted.
    case subjectRestricted
    /// A new disclosure the rule forbids now (the recipient deactivated, a country without adequate protection and no
    /// cross-border consent); the reason names rules only.
    case refused(String)
}

/// The DPO's tasks for recipients without an API (issue 22, part 3): opened by the worker in place of the HTTP call,
/// read (audited, since they carry identities) and closed with evidence — which delivers the served erasure request
/// or notice, logs the transfer, and settles the subject request waiting on it, in one transaction.
public struct ManualTaskRepository: Sendable {
    let database: Database

    public enum Action {
        public static let read = "manual_task.read"
        public static let close = "manual_task.close"
    }

    public init(database: Database) {
        self.database = database
    }

    // MARK: Opening, in the worker's transaction

    /// Opens the task for an erasure request (once), with the identities the request carries.
    static func open(erasureRequest id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO manual_tasks (id, recipient_id, subject_id, kind, erasure_request_id, identities)
            SELECT \(UUID()), q.recipient_id, c.subject_id, 'erasure_request', q.id, q.identities
            FROM erasure_requests q JOIN erasure_cascades c ON c.id = q.cascade_id
            WHERE q.id = \(id) AND q.status = 'pending'
            ON CONFLICT (erasure_request_id) DO NOTHING
            """, logger: logger)
    }

    /// Opens the task for a rectification notice (once), with the identities the notice carries.
    static func open(rectificationNotice id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO manual_tasks (id, recipient_id, subject_id, kind, rectification_notice_id, identities)
            SELECT \(UUID()), n.recipient_id, q.subject_id, 'rectification_notice', n.id, n.identities
            FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id
            WHERE n.id = \(id) AND n.status = 'pending'
            ON CONFLICT (rectification_notice_id) DO NOTHING
            """, logger: logger)
    }

    /// Opens the task for a consent change notice (once), naming the subject by the recipient's pseudonym.
    static func open(consentChangeNotice id: UUID, pseudonym: String, on connection: PostgresConnection, logger: Logger) async throws {
        let identities = String(decoding: try JSONEncoder.canonical.encode([OpenDSRIdentity(type: ErasureIdentityRule.pseudonymType, value: pseudonym)]), as: UTF8.self)
        try await connection.query("""
            INSERT INTO manual_tasks (id, recipient_id, subject_id, kind, consent_change_notice_id, identities)
            SELECT \(UUID()), n.recipient_id, n.subject_id, 'consent_change', n.id, \(identities)::jsonb
            FROM consent_change_notices n
            WHERE n.id = \(id) AND n.status = 'pending'
            ON CONFLICT (consent_change_notice_id) DO NOTHING
            """, logger: logger)
    }

    /// Opens the task for a restriction notice (once), with the identities the notice carries.
    static func open(restrictionNotice id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO manual_tasks (id, recipient_id, subject_id, kind, restriction_notice_id, identities)
            SELECT \(UUID()), n.recipient_id, n.subject_id, 'restriction_notice', n.id, n.identities
            FROM restriction_notices n
            WHERE n.id = \(id) AND n.status = 'pending'
            ON CONFLICT (restriction_notice_id) DO NOTHING
            """, logger: logger)
    }

    // MARK: Reading

    static let columns = """
        t.id, t.kind, t.status, t.recipient_id, r.code, r.name, t.subject_id,
        COALESCE(t.erasure_request_id, t.rectification_notice_id, t.consent_change_notice_id, t.restriction_notice_id), t.created_at,
        t.performed_by, t.performed_at, t.method, t.reference, t.note, t.closed_at, t.cancel_reason
        """

    /// Tasks in `status` (nil: all), oldest first, after the task `afterID`.
    public func list(status: ManualTaskRecord.Status?, afterID: UUID?, limit: Int) async throws -> [ManualTaskRecord] {
        try await Self.decode(database.query("""
            SELECT \(unescaped: Self.columns)
            FROM manual_tasks t JOIN recipients r ON r.id = t.recipient_id
            WHERE (\(status?.rawValue)::text IS NULL OR t.status = \(status?.rawValue))
              AND (\(afterID)::uuid IS NULL OR (t.created_at, t.id) > (SELECT created_at, id FROM manual_tasks WHERE id = \(afterID)))
            ORDER BY t.created_at, t.id
            LIMIT \(limit)
            """))
    }

    /// How many tasks are open (the console's navigation shows it).
    public func openCount() async throws -> Int {
        try await database.query("SELECT count(*)::int8 FROM manual_tasks WHERE status = 'open'").decode(Int64.self).first { _ in true }.map(Int.init) ?? 0
    }

    /// Reads one task with its text, and records the read (it shows the identities); nil when there is none.
    public func read(id: UUID, actor: AuditActor) async throws -> ManualTaskDetail? {
        try await database.transaction { connection in
            let logger = database.logger
            guard let task = try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM manual_tasks t JOIN recipients r ON r.id = t.recipient_id WHERE t.id = \(id)
                """, logger: logger)).first else { return nil }
            guard let (identitiesText, contact, language, operatorName) = try await connection.query("""
                SELECT t.identities::text, r.contact, r.language, COALESCE((SELECT operator_name FROM controller_settings), '')
                FROM manual_tasks t JOIN recipients r ON r.id = t.recipient_id WHERE t.id = \(id)
                """, logger: logger).decode((String?, String?, String, String).self).first(where: { _ in true }) else { return nil }
            let identities = try await SealedIdentities.open(
                identitiesText, ofTask: id, keys: try database.requireKeys(), on: connection, logger: logger)
            let taskLanguage = TaskLanguage(rawValue: language) ?? .ru
            var message: ManualTaskMessage?
            if task.status == .open, let subject = try await Self.messageSubject(task, keys: try database.requireKeys(), on: connection, logger: logger) {
                message = ManualTaskMessage(
                    subject: subject, language: taskLanguage, operatorName: operatorName, recipientName: task.recipientName,
                    identities: identities, taskID: task.id)
            }
            try await AuditRepository.append(action: Action.read, subjectID: task.subjectID, actor: actor, on: connection, logger: logger)
            return ManualTaskDetail(task: task, contact: contact, language: taskLanguage, identities: identities, message: message)
        }
    }

    /// What the task's message is about, read from the record it serves.
    static func messageSubject(
        _ task: ManualTaskRecord, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> ManualTaskMessage.Subject? {
        switch task.kind {
        case .erasureRequest:
            return try await connection.query("""
                SELECT c.regulation FROM erasure_requests q JOIN erasure_cascades c ON c.id = q.cascade_id WHERE q.id = \(task.servedID)
                """, logger: logger).decode(String.self).first(where: { _ in true }).flatMap(RequestRegime.init(rawValue:)).map { .erasure(regime: $0) }
        case .rectificationNotice:
            guard let (fields, subjectID, name, email, phone, address, kekID, wrapped) = try await connection.query("""
                SELECT n.fields, s.id, s.full_name, s.email, s.phone, s.registration_address, \(unescaped: SubjectKeys.columns)
                FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id JOIN subjects s ON s.id = q.subject_id
                \(unescaped: SubjectKeys.join)
                WHERE n.id = \(task.servedID)
                """, logger: logger).decode(([String], UUID, String?, String?, String?, String?, String?, ByteBuffer?).self).first(where: { _ in true })
            else { return nil }
            let values = try SubjectKeys.profile(
                subjectID: subjectID, fullName: name, email: email, phone: phone, address: address, kekID: kekID, wrapped: wrapped, keys: keys)
            return .rectification(corrected: fields.compactMap(DataCategory.init(rawValue:)).compactMap { field in
                (values[field] ?? nil).map { (field, $0) }
            })
        case .consentChange:
            guard let (purpose, action, occurredAt) = try await connection.query("""
                SELECT purpose_code, action, occurred_at FROM consent_change_notices WHERE id = \(task.servedID)
                """, logger: logger).decode((String, String, Date).self).first(where: { _ in true }),
                let action = ConsentAction(rawValue: action) else { return nil }
            return .consentChange(purpose: purpose, action: action, occurredAt: occurredAt)
        case .restrictionNotice:
            return try await connection.query("SELECT action FROM restriction_notices WHERE id = \(task.servedID)", logger: logger)
                .decode(String.self).first(where: { _ in true }).flatMap(RestrictionAction.init(rawValue:)).map { .restriction($0) }
        }
    }

    // MARK: Closing

    /// Closes an open task with the evidence `validate` makes of the task's creation time (a ``ValidationFailure``
    /// passes through unchanged): the served erasure request completes, or the notice is delivered; the delivery is
    /// logged as a transfer at the moment it was performed; the identities go; the subject request waiting on it is
    /// settled; the close is audited. Nil when there is no such task; ``ManualTaskFailure`` when it is not open, or
    /// when it is a new disclosure the ``DisclosureRule`` forbids now (a restricted subject, a deactivated recipient,
    /// a border without consent).
    public func close(
        id: UUID, actor: AuditActor, validate: @escaping @Sendable (_ createdAt: Date) throws -> ManualTaskEvidence
    ) async throws -> ManualTaskRecord? {
        try await database.transaction { connection in
            let logger = database.logger
            // Locks in erasure's order — the subject, then the record the task serves (whose cancellation cancels the
            // task by trigger), then the task — so a close and a cancellation never wait on each other crosswise.
            guard let (owner, kindText, servedID) = try await connection.query("""
                SELECT subject_id, kind, COALESCE(erasure_request_id, rectification_notice_id, consent_change_notice_id, restriction_notice_id)
                FROM manual_tasks WHERE id = \(id)
                """, logger: logger).decode((UUID, String, UUID).self).first(where: { _ in true }) else { return nil }
            guard let kind = ManualTaskKind(rawValue: kindText) else { throw StoreError.unexpectedValue(column: "manual_tasks.kind") }
            let subjectStatus = try await SubjectRepository.lockedStatus(of: owner, .shared, on: connection, logger: logger) ?? .erased
            try await connection.query(
                "SELECT 1 FROM \(unescaped: Self.servedTable(kind)) WHERE id = \(servedID) FOR UPDATE", logger: logger)
            guard let (status, createdAt, subjectID, identitiesText) = try await connection.query("""
                SELECT status, created_at, subject_id, identities::text FROM manual_tasks WHERE id = \(id) FOR UPDATE
                """, logger: logger).decode((String, Date, UUID, String?).self).first(where: { _ in true }) else { return nil }
            guard let status = ManualTaskRecord.Status(rawValue: status) else { throw StoreError.unexpectedValue(column: "manual_tasks.status") }
            guard status == .open else { throw ManualTaskFailure.notOpen(status) }
            let evidence = try validate(createdAt)
            let identities = try await SealedIdentities.open(
                identitiesText, ofTask: id, keys: try database.requireKeys(), on: connection, logger: logger)
            switch try await Self.decision(taskID: id, kind: kind, subjectStatus: subjectStatus, on: connection, logger: logger) {
            case .allowed: break
            case .held: throw ManualTaskFailure.subjectRestricted
            case .refused(let reason): throw ManualTaskFailure.refused(reason)
            }
            try await connection.query("""
                UPDATE manual_tasks SET status = 'closed', identities = NULL, performed_by = \(evidence.performedBy),
                    performed_at = \(evidence.performedAt), method = \(evidence.method.rawValue), reference = \(evidence.reference),
                    note = \(evidence.note), closed_by_user_id = \(actor.userID), closed_by_api_key_id = \(actor.apiKeyID),
                    closed_at = now(), updated_at = now()
                WHERE id = \(id)
                """, logger: logger)
            try await Self.deliverServedRecord(
                taskID: id, kind: kind, categories: NoticeAccounting.categories(of: identities), performedAt: evidence.performedAt,
                on: connection, logger: logger)
            try await AuditRepository.append(action: Action.close, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            return try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM manual_tasks t JOIN recipients r ON r.id = t.recipient_id WHERE t.id = \(id)
                """, logger: logger)).first
        }
    }

    /// The served record's table: a fixed identifier per kind.
    static func servedTable(_ kind: ManualTaskKind) -> String {
        switch kind {
        case .erasureRequest: "erasure_requests"
        case .rectificationNotice: "rectification_notices"
        case .consentChange: "consent_change_notices"
        case .restrictionNotice: "restriction_notices"
        }
    }

    /// Whether the task's message may go now (``RecipientMessage``): rectified values and a grant are new disclosures,
    /// judged by the whole ``DisclosureRule`` at the moment of closing; every other message always goes.
    static func decision(
        taskID: UUID, kind: ManualTaskKind, subjectStatus: SubjectStatus, on connection: PostgresConnection, logger: Logger
    ) async throws -> DisclosureDecision {
        guard let (action, active, adequate, crossBorder) = try await connection.query("""
            SELECT n.action, r.active, r.country_adequate,
                   EXISTS (SELECT 1 FROM consent_states cs WHERE cs.subject_id = t.subject_id AND cs.purpose_code = \(PurposeCode.crossBorderTransfer)
                           AND cs.action = 'grant')
            FROM manual_tasks t JOIN recipients r ON r.id = t.recipient_id
            LEFT JOIN consent_change_notices n ON n.id = t.consent_change_notice_id
            WHERE t.id = \(taskID)
            """, logger: logger).decode((String?, Bool, Bool, Bool).self).first(where: { _ in true }) else { return .refused(reason: "no such task") }
        let message: RecipientMessage = switch kind {
        case .erasureRequest: .erasureRequest
        case .rectificationNotice: .rectificationNotice
        case .restrictionNotice: .restrictionNotice
        case .consentChange: ConsentPropagation.message(for: action.flatMap(ConsentAction.init(rawValue:)) ?? .withdraw)
        }
        return message.decide(DisclosureFacts(
            subjectStatus: subjectStatus, recipientActive: active, countryAdequate: adequate, crossBorderConsentGranted: crossBorder))
    }

    /// Marks the served record delivered, logs the transfer (an erasure request or restriction notice with the
    /// `categories` its identities carried) and settles what waits on it.
    static func deliverServedRecord(
        taskID: UUID, kind: ManualTaskKind, categories: [DataCategory], performedAt: Date, on connection: PostgresConnection, logger: Logger
    ) async throws {
        switch kind {
        case .erasureRequest:
            let delivered = try await connection.query("""
                WITH delivered AS (
                    UPDATE erasure_requests q SET status = 'completed', identities = NULL, sent_at = \(performedAt), completed_at = now(),
                        failure_reason = NULL, updated_at = now()
                    FROM manual_tasks t
                    WHERE t.id = \(taskID) AND q.id = t.erasure_request_id AND q.status IN ('pending', 'failed')
                    RETURNING q.id, q.recipient_id, t.subject_id
                ), logged AS (
                    INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, transferred_at)
                    SELECT recipient_id, subject_id, \(categories.map(\.rawValue)), \(NoticeAccounting.purpose),
                           \(NoticeAccounting.legalBasis.rawValue), \(performedAt)
                    FROM delivered
                )
                SELECT id FROM delivered
                """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
            try await SubjectRequestSettlement.afterErasureRequestsChanged(delivered, on: connection, logger: logger)
        case .rectificationNotice:
            let delivered = try await connection.query("""
                WITH delivered AS (
                    UPDATE rectification_notices n SET status = 'delivered', identities = NULL, failure_reason = NULL, delivered_at = \(performedAt),
                        updated_at = now()
                    FROM manual_tasks t
                    WHERE t.id = \(taskID) AND n.id = t.rectification_notice_id AND n.status IN ('pending', 'failed')
                    RETURNING n.id, n.recipient_id, n.fields, n.purpose_code, t.subject_id
                ), logged AS (
                    INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, transferred_at)
                    SELECT d.recipient_id, d.subject_id, d.fields, d.purpose_code, p.legal_basis, \(performedAt)
                    FROM delivered d JOIN purposes p ON p.code = d.purpose_code
                )
                SELECT id FROM delivered
                """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
            try await SubjectRequestSettlement.afterNoticesChanged(delivered, on: connection, logger: logger)
        case .restrictionNotice:
            try await connection.query("""
                WITH delivered AS (
                    UPDATE restriction_notices n SET status = 'delivered', identities = NULL, failure_reason = NULL, delivered_at = \(performedAt),
                        updated_at = now()
                    FROM manual_tasks t
                    WHERE t.id = \(taskID) AND n.id = t.restriction_notice_id AND n.status IN ('pending', 'failed')
                    RETURNING n.recipient_id, n.subject_id
                )
                INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, transferred_at)
                SELECT recipient_id, subject_id, \(categories.map(\.rawValue)), \(NoticeAccounting.purpose), \(NoticeAccounting.legalBasis.rawValue),
                       \(performedAt)
                FROM delivered
                """, logger: logger)
        case .consentChange:
            try await connection.query("""
                WITH delivered AS (
                    UPDATE consent_change_notices n SET status = 'delivered', failure_reason = NULL, delivered_at = \(performedAt), updated_at = now()
                    FROM manual_tasks t
                    WHERE t.id = \(taskID) AND n.id = t.consent_change_notice_id AND n.status IN ('pending', 'failed')
                    RETURNING n.recipient_id, n.subject_id, n.purpose_code, n.action
                )
                INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, transferred_at)
                SELECT d.recipient_id, d.subject_id, \([DataCategory.pseudonymousID.rawValue]),
                       CASE WHEN d.action = 'grant' THEN d.purpose_code ELSE \(NoticeAccounting.purpose) END,
                       CASE WHEN d.action = 'grant' THEN p.legal_basis ELSE \(NoticeAccounting.legalBasis.rawValue) END, \(performedAt)
                FROM delivered d JOIN purposes p ON p.code = d.purpose_code
                """, logger: logger)
        }
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [ManualTaskRecord] {
        var tasks: [ManualTaskRecord] = []
        for try await row in rows {
            let (id, kind, status, recipientID, code, name, subjectID, servedID, createdAt)
                = try row.decode((UUID, String, String, UUID, String, String, UUID, UUID, Date).self)
            let cells = row.makeRandomAccess()
            let (performedBy, performedAt, method, reference, note, closedAt, cancelReason) = (
                try cells[9].decode(String?.self), try cells[10].decode(Date?.self), try cells[11].decode(String?.self),
                try cells[12].decode(String?.self), try cells[13].decode(String?.self), try cells[14].decode(Date?.self),
                try cells[15].decode(String?.self))
            guard let kind = ManualTaskKind(rawValue: kind), let status = ManualTaskRecord.Status(rawValue: status) else {
                throw StoreError.unexpectedValue(column: "manual_tasks.kind/status")
            }
            var closure: ManualTaskClosure?
            if let performedBy, let performedAt, let method = method.flatMap(TaskMethod.init(rawValue:)), let reference, let closedAt {
                closure = ManualTaskClosure(
                    performedBy: performedBy, performedAt: performedAt, method: method, reference: reference, note: note, closedAt: closedAt)
            }
            tasks.append(ManualTaskRecord(
                id: id, kind: kind, status: status, recipientID: recipientID, recipientCode: code, recipientName: name, subjectID: subjectID,
                servedID: servedID, createdAt: createdAt, closure: closure, cancelReason: cancelReason))
        }
        return tasks
    }
}
