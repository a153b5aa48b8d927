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

/// Applies a rectification request's corrections and prepares the notices GDPR Art. 19 requires: one to every
/// recipient that received a corrected field of the subject's own record (an e-mail provider holding the newsletter
/// address, a recipient of profile data). A courier received an order's delivery block, which a profile correction
/// does not change, so it is not told.
enum Rectification {
    static let rectifyAction = "subject.rectify"

    /// Runs inside the fulfilment transaction, which holds the subject's row; returns how many notices were enqueued
    /// (held at once when the subject is restricted).
    static func apply(requestID: UUID, subjectID: UUID, restricted: Bool, actor: AuditActor, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard let json = try await connection.query(
            "SELECT corrections::text FROM subject_requests WHERE id = \(requestID)", logger: logger
        ).decode(String?.self).first(where: { _ in true }) ?? nil else { throw RectificationFailure.noCorrections }
        let corrections = try JSONDecoder().decode(SubjectCorrections.self, from: Data(json.utf8))
        if let email = corrections.email, try await connection.query(
            "SELECT 1 FROM subjects WHERE lower(email) = lower(\(email)) AND id <> \(subjectID)", logger: logger
        ).decode(Int.self).first(where: { _ in true }) != nil {
            throw StoreError.duplicate(field: "corrections.email")
        }
        guard let (oldEmail, oldPhone) = try await connection.query(
            "SELECT email, phone FROM subjects WHERE id = \(subjectID)", logger: logger
        ).decode((String?, String?).self).first(where: { _ in true }) else { throw StoreError.unexpectedlyEmpty }
        let corrected = Set(corrections.categories)
        var notices = 0
        for holder in try await holders(subjectID: subjectID, on: connection, logger: logger) {
            let fields = holder.categories.intersection(corrected)
            guard !fields.isEmpty else { continue }
            let noticeID = UUID()
            let identities = ErasureIdentityRule.identities(
                receivedCategories: holder.categories, emails: oldEmail.map { [$0] } ?? [], phones: oldPhone.map { [$0] } ?? [], orderReferences: [])
            let identitiesJSON = String(decoding: try JSONEncoder.canonical.encode(identities), as: UTF8.self)
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
            try await connection.query("""
                UPDATE subjects SET
                    full_name = COALESCE(\(corrections.fullName), full_name),
                    email = COALESCE(\(corrections.email), email),
                    phone = COALESCE(\(corrections.phone), phone),
                    registration_address = COALESCE(\(corrections.registrationAddress), registration_address),
                    updated_at = now()
                WHERE id = \(subjectID)
                """, logger: logger)
        } catch {
            throw StoreError.mapUniqueViolation(error, ["subjects_email_key": "corrections.email"])
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

    /// Recipients of profile data (transfers not tied to an order), and active e-mail providers when the newsletter
    /// was ever granted, ordered by recipient.
    static func holders(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [Holder] {
        var holders: [UUID: Holder] = [:]
        for try await (recipientID, categories, purpose) in try await connection.query("""
            SELECT recipient_id, data_categories, purpose_code FROM transfers WHERE subject_id = \(subjectID) AND order_id IS NULL ORDER BY id
            """, logger: logger).decode((UUID, [String], String).self) {
            holders[recipientID, default: Holder(recipientID: recipientID, categories: [], purpose: purpose)]
                .categories.formUnion(categories.compactMap(DataCategory.init(rawValue:)))
        }
        for recipientID in try await RecipientRepository.newsletterProviders(subjectID: subjectID, on: connection, logger: logger) {
            holders[recipientID, default: Holder(recipientID: recipientID, categories: [], purpose: PurposeCode.newsletter)]
                .categories.formUnion([.email, .fullName])
        }
        return holders.values.sorted { $0.recipientID.uuidString < $1.recipientID.uuidString }
    }
}
