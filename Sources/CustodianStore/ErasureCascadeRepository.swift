import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// One recipient's part of an erasure cascade, as the DPO sees it.
public struct ErasureRequestRecord: Sendable, Equatable {
    /// The OpenDSR `subject_request_id` the recipient was sent.
    public let id: UUID
    public let recipientCode: String
    public let status: ErasureRequestStatus
    public let jobID: Int64?
    public let failureReason: String?
    public let expectedCompletionAt: Date?
    public let sentAt: Date?
    public let completedAt: Date?
}

/// An erasure cascade and where each recipient's request stands.
public struct ErasureCascadeRecord: Sendable, Equatable {
    public let id: UUID
    public let subjectID: UUID
    public let regulation: RequestRegime
    public let createdAt: Date
    public let requests: [ErasureRequestRecord]

    public var status: ErasureCascadeStatus { ErasureCascadeStatus(requests: requests.map(\.status)) }
}

/// Why a cascade was not started.
public enum ErasureCascadeFailure: Error, Equatable {
    case subjectNotFound
    /// A cascade for the subject is still running.
    case alreadyInProgress(UUID)
}

/// Erasure cascades: started with one job per recipient in one transaction, read by the DPO.
public struct ErasureCascadeRepository: Sendable {
    let database: Database

    public enum Action {
        public static let start = "erasure_cascade.start"
        public static let callback = "erasure_cascade.callback"
    }

    public init(database: Database) {
        self.database = database
    }

    /// Starts a cascade: one erasure request and its job for every recipient that received the subject's data
    /// according to `transfers` (deliveries of notices included), and every e-mail provider, deactivated ones too, when
    /// newsletter consent was ever granted. The
    /// identities each request will name are kept with it until it is delivered.
    public func start(subjectID: UUID, regulation: RequestRegime, actor: AuditActor) async throws -> ErasureCascadeRecord {
        try await database.transaction { connection in
            let logger = database.logger
            guard let (email, phone) = try await SubjectKeys.lockIdentifiers(
                of: subjectID, keys: try database.requireKeys(), on: connection, logger: logger
            ) else { throw ErasureCascadeFailure.subjectNotFound }
            if let running = try await Self.latest(subjectID: subjectID, on: connection, logger: logger), running.status == .inProgress {
                throw ErasureCascadeFailure.alreadyInProgress(running.id)
            }
            try await Self.start(
                subjectID: subjectID, email: email, phone: phone, regulation: regulation, keys: try database.requireKeys(), actor: actor,
                on: connection, logger: logger)
            try await AuditRepository.append(action: Action.start, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            guard let record = try await Self.latest(subjectID: subjectID, on: connection, logger: logger) else { throw StoreError.unexpectedlyEmpty }
            return record
        }
    }

    /// Starts a cascade inside the caller's transaction, which holds the subject's row: one request and its job per
    /// recipient that holds the subject's data, named by `email` and `phone` as they were before any erasure. Returns
    /// the cascade's id and its recipients' codes.
    @discardableResult
    static func start(
        subjectID: UUID, email: String?, phone: String?, regulation: RequestRegime, keys: PersonalDataKeys, actor: AuditActor,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> (id: UUID, recipientIDs: [UUID]) {
        let holders = try await holders(subjectID: subjectID, email: email, phone: phone, keys: keys, on: connection, logger: logger)
        let cascadeID = UUID()
        try await connection.query("""
            INSERT INTO erasure_cascades (id, subject_id, regulation, api_key_id, user_id)
            VALUES (\(cascadeID), \(subjectID), \(regulation.rawValue), \(actor.apiKeyID), \(actor.userID))
            """, logger: logger)
        let recipients = holders.keys.sorted { $0.uuidString < $1.uuidString }
        // The identities outlive the subject's key, which this erasure deletes: they are sealed under the cascade's.
        let key = try await ErasureKeys.create(cascadeID: cascadeID, keys: keys, on: connection, logger: logger)
        for recipientID in recipients {
            let requestID = UUID()
            let identitiesJSON = try SealedIdentities.seal(
                holders[recipientID]?.identities ?? [], key: key, context: SealedIdentities.context("erasure_requests", requestID))
            let jobID = try await JobQueue.enqueue(
                ErasureRequestJob.self, .init(erasureRequestID: requestID),
                uniqueKey: "\(ErasureRequestJob.name):\(requestID.uuidString.lowercased())", subjectID: subjectID, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO erasure_requests (id, cascade_id, recipient_id, identities, job_id)
                VALUES (\(requestID), \(cascadeID), \(recipientID), \(identitiesJSON)::jsonb, \(jobID))
                """, logger: logger)
        }
        return (cascadeID, recipients)
    }

    /// The subject's latest cascade, or nil when none was started; ``ErasureCascadeFailure/subjectNotFound`` when
    /// there is no such subject.
    public func latest(subjectID: UUID) async throws -> ErasureCascadeRecord? {
        try await database.transaction { connection in
            guard try await SubjectRepository.exists(subjectID, on: connection, logger: database.logger) else {
                throw ErasureCascadeFailure.subjectNotFound
            }
            return try await Self.latest(subjectID: subjectID, on: connection, logger: database.logger)
        }
    }

    /// What a recipient holds of a subject: the categories it was given, the e-mails and phones as sent, and the
    /// orders it was told about.
    struct Holder {
        var categories: Set<DataCategory> = []
        var emails: [String] = []
        var phones: [String] = []
        var orderReferences: [String] = []
        /// The recipient's pseudonym of the subject.
        var pseudonym: String?

        var identities: [OpenDSRIdentity] {
            ErasureIdentityRule.identities(
                receivedCategories: categories, emails: emails, phones: phones, orderReferences: orderReferences, pseudonym: pseudonym)
        }
    }

    static func holders(
        subjectID: UUID, email: String?, phone: String?, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> [UUID: Holder] {
        var holders: [UUID: Holder] = [:]
        let cipher = try await SubjectKeys.load(subjectID: subjectID, keys: keys, on: connection, logger: logger)
        // An order's transfer carried the order's delivery phone; any other carried the subject's own data. A
        // disclosure still in flight (or never answered) counts as made.
        for try await (recipientID, categories, orderID, orderReference, deliveryPhone, pseudonymKey) in try await connection.query("""
            SELECT t.recipient_id, t.data_categories, o.id, o.external_ref, o.delivery_phone, r.pseudonym_key
            FROM (
                SELECT recipient_id, data_categories, order_id FROM transfers WHERE subject_id = \(subjectID)
                UNION ALL
                SELECT recipient_id, data_categories, order_id FROM disclosures_in_flight WHERE subject_id = \(subjectID)
            ) t LEFT JOIN orders o ON o.id = t.order_id JOIN recipients r ON r.id = t.recipient_id
            """, logger: logger).decode((UUID, [String], UUID?, String?, String?, ByteBuffer).self) {
            var holder = holders[recipientID, default: Holder()]
            holder.pseudonym = SubjectPseudonym.make(subjectID: subjectID, recipientKey: Data(buffer: pseudonymKey))
            holder.categories.formUnion(categories.compactMap(DataCategory.init(rawValue:)))
            if let orderReference {
                holder.orderReferences.append(orderReference)
                if let orderID, let deliveryPhone = try cipher.open(deliveryPhone, "orders.delivery_phone", row: orderID) {
                    holder.phones.append(deliveryPhone)
                }
            } else {
                if let email { holder.emails.append(email) }
                if let phone { holder.phones.append(phone) }
            }
            holders[recipientID] = holder
        }
        for recipientID in try await RecipientRepository.newsletterProviders(subjectID: subjectID, on: connection, logger: logger) {
            holders[recipientID, default: Holder()].categories.formUnion([.email, .fullName])
            if let email { holders[recipientID, default: Holder()].emails.append(email) }
        }
        return holders
    }

    static func latest(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ErasureCascadeRecord? {
        guard let id = try await connection.query("""
            SELECT id FROM erasure_cascades WHERE subject_id = \(subjectID) ORDER BY created_at DESC, id LIMIT 1
            """, logger: logger).decode(UUID.self).first(where: { _ in true }) else { return nil }
        return try await cascade(id: id, on: connection, logger: logger)
    }

    /// One cascade with its recipients' requests; nil when there is none.
    static func cascade(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ErasureCascadeRecord? {
        guard let (subjectID, regulation, createdAt) = try await connection.query("""
            SELECT subject_id, regulation, created_at FROM erasure_cascades WHERE id = \(id)
            """, logger: logger).decode((UUID, String, Date).self).first(where: { _ in true }) else { return nil }
        guard let regulation = RequestRegime(rawValue: regulation) else { throw StoreError.unexpectedValue(column: "erasure_cascades.regulation") }
        var requests: [ErasureRequestRecord] = []
        for try await (requestID, code, status, jobID, reason, expected, sentAt, completedAt) in try await connection.query("""
            SELECT q.id, r.code, q.status, q.job_id, q.failure_reason, q.expected_completion_at, q.sent_at, q.completed_at
            FROM erasure_requests q JOIN recipients r ON r.id = q.recipient_id WHERE q.cascade_id = \(id) ORDER BY r.code
            """, logger: logger).decode((UUID, String, String, Int64?, String?, Date?, Date?, Date?).self) {
            guard let status = ErasureRequestStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "erasure_requests.status") }
            requests.append(ErasureRequestRecord(
                id: requestID, recipientCode: code, status: status, jobID: jobID, failureReason: reason,
                expectedCompletionAt: expected, sentAt: sentAt, completedAt: completedAt))
        }
        return ErasureCascadeRecord(id: id, subjectID: subjectID, regulation: regulation, createdAt: createdAt, requests: requests)
    }
}
