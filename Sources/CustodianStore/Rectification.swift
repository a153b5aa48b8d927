import CustodianCore
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Why a rectification request cannot be fulfilled.
public enum RectificationFailure: Error, Sendable {
    /// The request holds no corrections (registered before they were recorded, or cleared).
    case noCorrections
}

/// Applies a rectification request's corrections and prepares the notices GDPR Art. 19 requires: one to every active
/// recipient that received a corrected field of the subject's own record for a purpose still active
/// (``PurposeActivity``): an e-mail provider while the newsletter stands granted, a recipient of profile data. The new
/// values are a new disclosure, so a withdrawn purpose or a deactivated recipient gets none. A courier received an
/// order's delivery block, which a profile correction does not change, so it is not told.
enum Rectification {
    static let rectifyAction = "subject.rectify"

    /// Runs inside the fulfilment transaction, which holds the subject's row; returns how many notices were enqueued
    /// (held at once when the subject is restricted).
    static func apply(
        requestID: UUID, subjectID: UUID, restricted: Bool, keys: PersonalDataKeys, actor: AuditActor, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int {
        let cipher = try await SubjectKeys.obtain(subjectID: subjectID, keys: keys, on: connection, logger: logger)
        let json = try await connection.query(
            "SELECT corrections::text FROM subject_requests WHERE id = \(requestID)", logger: logger
        ).decode(String?.self).first(where: { _ in true }) ?? nil
        guard let corrections = try SealedJSON.open(
            json, as: SubjectCorrections.self, key: cipher.key, context: SubjectRequestRepository.correctionsContext(requestID))
        else { throw RectificationFailure.noCorrections }
        if let email = corrections.email, try await connection.query("""
            SELECT 1 FROM subjects WHERE (email_index = \(ByteBuffer(data: keys.emailIndex(email)))
                                          OR (email_index IS NULL AND lower(email) = lower(\(email)))) AND id <> \(subjectID)
            """, logger: logger).decode(Int.self).first(where: { _ in true }) != nil {
            throw StoreError.duplicate(field: "corrections.email")
        }
        guard let (oldEmail, oldPhone) = try await SubjectKeys.lockIdentifiers(of: subjectID, keys: keys, on: connection, logger: logger)
        else { throw StoreError.unexpectedlyEmpty }
        let corrected = Set(corrections.categories)
        var notices = 0
        for holder in try await holders(subjectID: subjectID, on: connection, logger: logger) {
            let fields = holder.categories.intersection(corrected)
            guard !fields.isEmpty else { continue }
            let noticeID = UUID()
            let identities = ErasureIdentityRule.identities(
                receivedCategories: holder.categories, emails: oldEmail.map { [$0] } ?? [], phones: oldPhone.map { [$0] } ?? [], orderReferences: [])
            guard let key = cipher.key else { throw StoreError.noPersonalDataKeys }
            let identitiesJSON = try SealedIdentities.seal(
                identities, key: key, context: SealedIdentities.context("rectification_notices", noticeID))
            let jobID = try await JobQueue.enqueue(
                RectificationNoticeJob.self, .init(noticeID: noticeID),
                uniqueKey: "\(RectificationNoticeJob.name):\(noticeID.uuidString.lowercased())", subjectID: subjectID, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO rectification_notices (id, request_id, recipient_id, fields, purpose_code, identities, job_id)
                VALUES (\(noticeID), \(requestID), \(holder.recipientID), \(DataCategory.allCases.filter(fields.contains).map(\.rawValue)),
                        \(holder.purpose), \(identitiesJSON)::jsonb, \(jobID))
                """, logger: logger)
            notices += 1
        }
        if restricted { try await SubjectRequestWork.holdDisclosingJobs(subjectID: subjectID, on: connection, logger: logger) }
        do {
            _ = try await SubjectRepository.writeProfile(
                subjectID: subjectID, fullName: corrections.fullName, email: corrections.email, phone: corrections.phone,
                registrationAddress: corrections.registrationAddress, cipher: cipher, keys: keys, on: connection, logger: logger)
        } catch {
            throw StoreError.mapUniqueViolation(error, ["subjects_email_key": "corrections.email", "subjects_plain_email_key": "corrections.email"])
        }
        try await connection.query("""
            UPDATE subject_requests SET corrections = NULL, corrected_fields = \(corrections.categories.map(\.rawValue)) WHERE id = \(requestID)
            """, logger: logger)
        try await AuditRepository.append(action: rectifyAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
        return notices
    }

    /// A recipient of the subject's own data, what it received, and for which purpose.
    struct Holder {
        let recipientID: UUID
        var categories: Set<DataCategory>
        let purpose: String
    }

    /// Active recipients of profile data (transfers not tied to an order, other than notices) for a purpose still
    /// active, and the active e-mail providers while the newsletter stands granted, ordered by recipient.
    static func holders(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [Holder] {
        var holders: [UUID: Holder] = [:]
        for try await (recipientID, categories, purpose, basis, consent) in try await connection.query("""
            SELECT t.recipient_id, t.data_categories, t.purpose_code, p.legal_basis, cs.action
            FROM transfers t
            JOIN purposes p ON p.code = t.purpose_code
            JOIN recipients r ON r.id = t.recipient_id AND r.active
            LEFT JOIN consent_states cs ON cs.subject_id = t.subject_id AND cs.purpose_code = t.purpose_code
            WHERE t.subject_id = \(subjectID) AND t.order_id IS NULL AND t.purpose_code <> \(NoticeAccounting.purpose)
            ORDER BY t.id
            """, logger: logger).decode((UUID, [String], String, String, String?).self) {
            guard let basis = LegalBasis(rawValue: basis),
                  PurposeActivity.isActive(basis: basis, consent: consent.flatMap(ConsentAction.init(rawValue:))) else { continue }
            holders[recipientID, default: Holder(recipientID: recipientID, categories: [], purpose: purpose)]
                .categories.formUnion(categories.compactMap(DataCategory.init(rawValue:)))
        }
        let newsletter = try await connection.query("""
            SELECT action FROM consent_states WHERE subject_id = \(subjectID) AND purpose_code = \(PurposeCode.newsletter)
            """, logger: logger).decode(String.self).first(where: { _ in true }).flatMap(ConsentAction.init(rawValue:))
        if PurposeActivity.isActive(basis: .consent, consent: newsletter) {
            for recipientID in try await RecipientRepository.newsletterProviders(subjectID: subjectID, on: connection, logger: logger, activeOnly: true) {
                holders[recipientID, default: Holder(recipientID: recipientID, categories: [], purpose: PurposeCode.newsletter)]
                    .categories.formUnion([.email, .fullName])
            }
        }
        return holders.values.sorted { $0.recipientID.uuidString < $1.recipientID.uuidString }
    }
}
