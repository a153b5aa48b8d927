import Crypto
import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Carries out a registered request, each kind in one transaction with the jobs it causes. The transaction locks the
/// subject `FOR UPDATE` — waiting for a disclosure's short start transaction at most ``lockWait``, then
/// ``SubjectBusy`` (a disclosure's outgoing call holds no lock: ``DisclosureInFlight``) —, and then the request:
/// subject before request, the order every writer of both follows.
///
/// - access: builds the export and records its SHA-256; completed.
/// - rectification: applies the corrections and enqueues a notice to every recipient that received a corrected field;
///   completed when every notice is delivered (at once when there is none).
/// - restriction: the subject is `restricted` (since registration: ``SubjectBlocking``) and its pending disclosing
///   jobs are held; completed. `lift` ends it.
/// - erasure: depersonalises the subject (``Depersonaliser``) and starts the cascade; completed when every recipient
///   confirmed (at once when there is none).
/// - objection: withdraws the named consent-based purposes (all by default), the newsletter with its opt-out job; completed.
public struct SubjectRequestWork: Sendable {
    let database: Database
    let hasher: IdentityHasher?

    public static let fulfilAction = "subject_request.fulfil"
    public static let liftAction = "subject_request.lift"
    public static let exportAction = "subject_request.export"

    /// The longest a command waits for the subject's row lock before answering ``SubjectBusy``.
    public static let lockWait = "5s"

    public init(database: Database, hasher: IdentityHasher?) {
        self.database = database
        self.hasher = hasher
    }

    /// Locks the subject of request `id` `FOR UPDATE`, waiting at most ``lockWait``; nil when the request names no
    /// subject (or does not exist).
    static func lockSubject(
        ofRequest id: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> LockedSubject? {
        try await lock("""
            SELECT s.id, s.status, s.email, s.phone, \(unescaped: SubjectKeys.columns) FROM subjects s \(unescaped: SubjectKeys.join)
            WHERE s.id = (SELECT subject_id FROM subject_requests WHERE id = \(id))
            FOR UPDATE OF s
            """, keys: keys, on: connection, logger: logger)
    }

    /// Locks subject `id` `FOR UPDATE` the same way; nil when there is no such subject.
    static func lockSubject(id: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws -> LockedSubject? {
        try await lock("""
            SELECT s.id, s.status, s.email, s.phone, \(unescaped: SubjectKeys.columns) FROM subjects s \(unescaped: SubjectKeys.join)
            WHERE s.id = \(id) FOR UPDATE OF s
            """, keys: keys, on: connection, logger: logger)
    }

    private static func lock(
        _ query: PostgresQuery, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> LockedSubject? {
        try await connection.query("SET LOCAL lock_timeout = '\(unescaped: lockWait)'", logger: logger)
        do {
            guard let (subjectID, status, email, phone, kekID, wrapped) = try await connection.query(query, logger: logger)
                .decode((UUID, String, String?, String?, String?, ByteBuffer?).self).first(where: { _ in true }) else { return nil }
            guard let status = SubjectStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "subjects.status") }
            let cipher = try SubjectKeys.cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys)
            return LockedSubject(
                id: subjectID, status: status, email: try cipher.open(email, "subjects.email"), phone: try cipher.open(phone, "subjects.phone"),
                cipher: cipher)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.lockNotAvailable.raw {
            throw SubjectBusy()
        }
    }

    /// A subject row held `FOR UPDATE` by the caller's transaction.
    struct LockedSubject {
        let id: UUID
        let status: SubjectStatus
        let email: String?
        let phone: String?
        /// The subject's key, opened once for whatever else the transaction reads of it.
        let cipher: SubjectCipher
    }

    public func fulfil(id: UUID, actor: AuditActor) async throws -> SubjectRequestRecord {
        try await database.transaction { connection in
            try await fulfil(id: id, actor: actor, on: connection)
        }
    }

    /// ``fulfil(id:actor:)`` on the caller's connection, inside its transaction (an objection to direct marketing is
    /// fulfilled in the transaction that registers it).
    func fulfil(id: UUID, actor: AuditActor, on connection: PostgresConnection) async throws -> SubjectRequestRecord {
        let requests = SubjectRequestRepository(database: database)
        let hasher = hasher
        let logger = database.logger
        let subject = try await Self.lockSubject(ofRequest: id, keys: try database.requireKeys(), on: connection, logger: logger)
        guard let record = try await requests.lockedRecord(id: id, on: connection) else { throw SubjectRequestRefusal.notFound }
        guard record.status == .received, let subject, subject.id == record.subjectID else {
            throw SubjectRequestRefusal.notAllowed(record.status, command: .fulfil)
        }
        let (subjectID, status, email, phone) = (subject.id, subject.status, subject.email, subject.phone)
        var settled = true
        switch SubjectRequestFulfilment.plan(kind: record.kind, subjectStatus: status) {
        case .export:
            let export = try await SubjectExport.build(subjectID: subjectID, cipher: subject.cipher, on: connection, logger: logger)
            let digest = SHA256.hash(data: Data(export.utf8)).map { String(format: "%02x", $0) }.joined()
            try await connection.query("UPDATE subject_requests SET export_sha256 = \(digest) WHERE id = \(id)", logger: logger)
        case .withdrawConsents:
            try await ConsentRepository.withdrawAll(
                subjectID: subjectID, purposes: record.work.purposes, optOutNewsletter: true, actor: actor, on: connection, logger: logger)
        case .restrict:
            try await Self.restrict(subjectID: subjectID, on: connection, logger: logger)
        case .depersonalise:
            let summary = try await Depersonaliser.depersonalise(
                subjectID: subjectID, email: email, phone: phone, reason: .subjectRequest(regime: record.regime, ground: record.ground),
                regime: record.regime, requestID: id, rule: nil, hasher: hasher, keys: try database.requireKeys(), actor: actor, on: connection, logger: logger)
            try await connection.query("UPDATE subject_requests SET cascade_id = \(summary.cascadeID) WHERE id = \(id)", logger: logger)
            settled = summary.recipients == 0
        case .rectify:
            let notices = try await Rectification.apply(
                requestID: id, subjectID: subjectID, restricted: status == .restricted, keys: try database.requireKeys(), actor: actor, on: connection, logger: logger)
            settled = notices == 0
        case .alreadyDone:
            break
        case .refuseSubjectErased:
            throw SubjectRequestRefusal.subjectErased
        case .refuseAnswerInstead:
            throw SubjectRequestRefusal.answerInstead
        }
        if record.kind == .restriction, status != .erased {
            // The restriction is carried out now (the block since registration included): its recipients are told.
            try await RestrictionNoticeRepository.enqueue(subjectID: subjectID, requestID: id, action: .restricted, keys: try database.requireKeys(), on: connection, logger: logger)
        }
        let final: SubjectRequestStatus = settled ? .completed : .inProgress
        try await connection.query("""
            UPDATE subject_requests SET status = \(final.rawValue), fulfilled_at = now(),
                completed_at = CASE WHEN \(final.rawValue) = 'completed' THEN now() END, updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO subject_request_events (request_id, status, api_key_id, user_id, by_subject)
            SELECT \(id), s, \(actor.apiKeyID), \(actor.userID), \(actor.bySubject) FROM unnest(\(settled ? ["in_progress", "completed"] : ["in_progress"])::text[]) WITH ORDINALITY AS t(s, n)
            ORDER BY n
            """, logger: logger)
        try await AuditRepository.append(action: Self.fulfilAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
        // A rectification's block ends when the data are corrected (its notices go out); a restriction's stays.
        try await SubjectBlocking.reconcile(subjectID: subjectID, keys: try database.requireKeys(), on: connection, logger: logger)
        guard let done = try await requests.lockedRecord(id: id, on: connection) else { throw StoreError.unexpectedlyEmpty }
        return done
    }

    /// Ends the restriction a completed restriction request put in place: the subject is active again and its held
    /// jobs resume, unless another request still blocks it.
    public func lift(id: UUID, actor: AuditActor) async throws -> SubjectRequestRecord {
        let requests = SubjectRequestRepository(database: database)
        return try await database.transaction { connection in
            let logger = database.logger
            let subject = try await Self.lockSubject(ofRequest: id, keys: try database.requireKeys(), on: connection, logger: logger)
            guard let record = try await requests.lockedRecord(id: id, on: connection) else { throw SubjectRequestRefusal.notFound }
            guard record.kind == .restriction, record.status == .completed, record.work.liftedAt == nil, let subject,
                  subject.id == record.subjectID
            else { throw SubjectRequestRefusal.notLiftable }
            let subjectID = subject.id
            guard subject.status != .erased else { throw SubjectRequestRefusal.subjectErased }
            try await connection.query("UPDATE subject_requests SET lifted_at = now(), updated_at = now() WHERE id = \(id)", logger: logger)
            try await SubjectBlocking.reconcile(subjectID: subjectID, keys: try database.requireKeys(), on: connection, logger: logger)
            try await AuditRepository.append(action: Self.liftAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            guard let done = try await requests.lockedRecord(id: id, on: connection) else { throw StoreError.unexpectedlyEmpty }
            return done
        }
    }

    /// The export of an access request's subject, as JSON, built now; the read is audited. Throws
    /// ``SubjectRequestRefusal/notFound`` when there is no such request, ``SubjectExportRefusal`` unless it is a
    /// completed access request.
    public func export(id: UUID, actor: AuditActor) async throws -> String {
        let (access, completed) = (SubjectRequestKind.access.rawValue, SubjectRequestStatus.completed.rawValue)
        // One statement, so one round trip and no transaction: the request, its subject's key, the export's members
        // when the request allows it, and the read's audit row. PostgreSQL runs a statement with a data-modifying CTE
        // to its end before it sends a row, and every row is read, so the document is returned only once the audit row
        // is written; it stays written if opening the members then fails here.
        guard let row = try await database.query("""
            WITH x AS (SELECT kind, status, subject_id, kind = \(access) AND status = \(completed) AND subject_id IS NOT NULL AS allowed
                       FROM subject_requests WHERE id = \(id)),
                 audited AS (INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id, by_subject)
                             SELECT \(actor.apiKeyID)::uuid, \(actor.userID)::uuid, \(Self.exportAction), subject_id, \(actor.requestID), \(actor.bySubject)
                             FROM x WHERE allowed)
            SELECT x.kind, x.status, x.subject_id, \(unescaped: SubjectKeys.columns), m.*
            FROM x \(unescaped: SubjectKeys.join(on: "x.subject_id"))
            LEFT JOIN LATERAL (SELECT \(unescaped: SubjectExport.members) WHERE x.allowed) m ON true
            """).rows.first else { throw SubjectRequestRefusal.notFound }
        let cells = row.makeRandomAccess()
        guard try cells[0].decode(String.self) == access else { throw SubjectExportRefusal.notAccess }
        guard try cells[1].decode(String.self) == completed, let subjectID = try cells[2].decode(UUID?.self) else {
            throw SubjectExportRefusal.notCompleted
        }
        let cipher = try SubjectKeys.cipher(
            subjectID: subjectID, kekID: try cells[3].decode(String?.self), wrapped: try cells[4].decode(ByteBuffer?.self),
            keys: try database.requireKeys())
        return try SubjectExport.document(from: cells, at: 5, cipher: cipher)
    }

    /// Puts the restriction in place: the subject's status, and its pending disclosing jobs held.
    static func restrict(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE subjects SET status = 'restricted', updated_at = now() WHERE id = \(subjectID)", logger: logger)
        try await holdDisclosingJobs(subjectID: subjectID, on: connection, logger: logger)
    }

    /// Holds the subject's pending jobs that would disclose its data.
    static func holdDisclosingJobs(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await JobQueue.hold(subjectID: subjectID, kinds: DomainJobs.disclosing, on: connection, logger: logger)
    }
}

/// A disclosure of the subject's data is in flight and did not finish within ``SubjectRequestWork/lockWait``.
public struct SubjectBusy: Error {}

/// Why an export cannot be given.
public enum SubjectExportRefusal: Error, Sendable {
    case notAccess
    case notCompleted
}

/// A rectification notice as the DPO sees it.
public struct RectificationNoticeRecord: Sendable, Equatable {
    public let id: UUID
    public let recipientCode: String
    public let fields: [String]
    public let status: String
    public let jobID: Int64?
    public let failureReason: String?
    public let deliveredAt: Date?
}

/// The proof a request's work left: the erasure cascade, the destruction record, the rectification notices.
public struct SubjectRequestProof: Sendable {
    public let cascade: ErasureCascadeRecord?
    public let destruction: DestructionRecord?
    public let notices: [RectificationNoticeRecord]
}

extension SubjectRequestWork {
    /// What `record`'s work left behind, read on the caller's connection.
    static func proof(of record: SubjectRequestRecord, on connection: PostgresConnection, logger: Logger) async throws -> SubjectRequestProof {
        var cascade: ErasureCascadeRecord?
        if let cascadeID = record.work.cascadeID {
            cascade = try await ErasureCascadeRepository.cascade(id: cascadeID, on: connection, logger: logger)
        }
        let destruction = try await DestructionActRepository.record(ofRequest: record.id, on: connection, logger: logger)
        var notices: [RectificationNoticeRecord] = []
        for try await (id, code, fields, status, jobID, reason, deliveredAt) in try await connection.query("""
            SELECT n.id, r.code, n.fields, n.status, n.job_id, n.failure_reason, n.delivered_at
            FROM rectification_notices n JOIN recipients r ON r.id = n.recipient_id WHERE n.request_id = \(record.id) ORDER BY r.code
            """, logger: logger).decode((UUID, String, [String], String, Int64?, String?, Date?).self) {
            notices.append(RectificationNoticeRecord(
                id: id, recipientCode: code, fields: fields, status: status, jobID: jobID, failureReason: reason, deliveredAt: deliveredAt))
        }
        return SubjectRequestProof(cascade: cascade, destruction: destruction, notices: notices)
    }
}
