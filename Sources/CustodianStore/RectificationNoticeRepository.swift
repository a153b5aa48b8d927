import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// Everything a rectification notice needs, read when its job runs: the corrected fields with their current values.
public struct RectificationNoticeContext: Sendable {
    public let noticeID: UUID
    public let requestID: UUID
    public let subjectID: UUID
    public let status: String
    public let subjectStatus: SubjectStatus
    /// How the recipient knows the subject (the values it was sent); nil once delivered or erased.
    public let identities: [OpenDSRIdentity]?
    /// The corrected fields and their values now, by category.
    public let corrected: [DataCategory: String]
    public let target: OutboundTarget
    /// The purpose under which the recipient holds the data.
    public let purposeCode: String
    /// What ``DisclosureRule`` decides on: the new values are a new disclosure.
    public let disclosureFacts: DisclosureFacts
    /// The recipient has no API: the notice becomes a DPO task.
    public let manual: Bool
}

/// The rectification notices the worker delivers.
public struct RectificationNoticeRepository: Sendable {
    let database: Database

    public static let deliveredAction = "transfer.rectification_notice"

    public init(database: Database) {
        self.database = database
    }

    /// Decides in one short transaction whether job `jobID` may send the notice now — the corrected values are a new
    /// disclosure, so the whole ``DisclosureRule`` applies: a restricted subject's notice waits; a deactivated recipient,
    /// or one in a country without adequate protection while the subject has not consented to cross-border transfer
    /// (152-FZ Art. 12), gets nothing and the notice fails saying why — and records the disclosure in flight when it may.
    /// An erased subject's notice is failed too (its erasure request supersedes it). A recipient without an API gets a
    /// DPO task instead of the call.
    public func startNotice(noticeID: UUID, jobID: Int64) async throws -> DisclosureStart<RectificationNoticeContext> {
        try await database.transaction { connection in
            let logger = database.logger
            guard let context = try await Self.context(noticeID: noticeID, keys: try database.requireKeys(), on: connection, logger: logger) else {
                return .missing
            }
            guard context.status == "pending" else { return .settled }
            switch RecipientMessage.rectificationNotice.decide(context.disclosureFacts) {
            case .held(let reason):
                return .held(reason: reason)
            case .refused(let why):
                let reason = context.subjectStatus == .erased ? "the subject was erased: the erasure request replaces this notice" : why
                try await connection.query(Self.noticeFailed(noticeID, reason: reason), logger: logger)
                return .refused(reason: reason)
            case .allowed:
                if context.manual {
                    try await ManualTaskRepository.open(rectificationNotice: noticeID, on: connection, logger: logger)
                    return .delegated
                }
                try await DisclosureInFlight.record(
                    jobID: jobID, subjectID: context.subjectID, recipientID: context.target.recipientID, orderID: nil,
                    categories: Array(context.corrected.keys), purposeCode: context.purposeCode, on: connection, logger: logger)
                return .send(context)
            }
        }
    }

    /// Records how job `jobID`'s call ended, in one statement. Delivered: the notice's identities are cleared, the
    /// disclosure of the corrected values is logged as a transfer and audited, the in-flight record goes (and the
    /// trigger completes the request when it was the last notice). Not delivered: see ``DisclosureOutcome``. Failure
    /// reasons carry no personal data; a failed notice keeps its identities, so retrying the job can still send it.
    public func finishNotice(_ context: RectificationNoticeContext, jobID: Int64, outcome: DisclosureOutcome) async throws {
        switch outcome {
        case .delivered:
            try await database.transaction { connection in
                try await connection.query("""
                WITH settled AS (
                    DELETE FROM disclosures_in_flight WHERE job_id = \(jobID)
                ), delivered AS (
                    UPDATE rectification_notices SET status = 'delivered', identities = NULL, failure_reason = NULL, delivered_at = now(),
                        updated_at = now()
                    WHERE id = \(context.noticeID) AND status = 'pending'
                    RETURNING recipient_id, fields, purpose_code
                ), logged AS (
                    INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
                    SELECT d.recipient_id, \(context.subjectID), d.fields, d.purpose_code, p.legal_basis, \(jobID)
                    FROM delivered d JOIN purposes p ON p.code = d.purpose_code
                    RETURNING subject_id
                )
                INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
                SELECT NULL, \(Self.deliveredAction), subject_id, \("job-\(jobID)") FROM logged
                """, logger: database.logger)
                try await SubjectRequestSettlement.afterNoticesChanged([context.noticeID], on: connection, logger: database.logger)
            }
        case .notDelivered(let answered, let failure):
            try await database.query(DisclosureInFlight.notDelivered(
                jobID: jobID, answered: answered, failure: failure, table: "rectification_notices", recordID: context.noticeID))
        }
    }

    /// Marks a pending notice failed.
    static func noticeFailed(_ noticeID: UUID, reason: String) -> PostgresQuery {
        "UPDATE rectification_notices SET status = 'failed', failure_reason = \(reason), updated_at = now() WHERE id = \(noticeID) AND status = 'pending'"
    }

    static func context(
        noticeID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> RectificationNoticeContext? {
        guard let row = try await connection.query("""
            SELECT n.request_id, q.subject_id, n.status, s.status, n.identities::text, n.fields, s.full_name, s.email, s.phone,
                   s.registration_address, r.id, r.base_url, r.api_token, r.signing_secret, n.purpose_code, r.active, r.country_adequate,
                   EXISTS (SELECT 1 FROM consent_states cs WHERE cs.subject_id = s.id AND cs.purpose_code = \(PurposeCode.crossBorderTransfer)
                           AND cs.action = 'grant'),
                   r.delivery_mode = 'manual', \(unescaped: SubjectKeys.columns)
            FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id JOIN subjects s ON s.id = q.subject_id
            JOIN recipients r ON r.id = n.recipient_id \(unescaped: SubjectKeys.join)
            WHERE n.id = \(noticeID)
            FOR KEY SHARE OF s
            """, logger: logger).collect().first else { return nil }
        let (requestID, subjectID, status, subjectStatus, identities, fields, fullName, email, phone, address, recipientID, baseURL, token, secret,
             purposeCode)
            = try row.decode((UUID, UUID, String, String, String?, [String], String?, String?, String?, String?, UUID, String?, String?, String,
                              String).self)
        let cells = row.makeRandomAccess()
        let (recipientActive, countryAdequate, crossBorderConsent, manual) = (
            try cells[15].decode(Bool.self), try cells[16].decode(Bool.self), try cells[17].decode(Bool.self), try cells[18].decode(Bool.self))
        let resolvedStatus = SubjectStatus(rawValue: subjectStatus) ?? .erased
        let cipher = try SubjectKeys.cipher(
            subjectID: subjectID, kekID: try cells[19].decode(String?.self), wrapped: try cells[20].decode(ByteBuffer?.self), keys: keys)
        let values = try SubjectKeys.profile(fullName: fullName, email: email, phone: phone, address: address, cipher: cipher)
        var corrected: [DataCategory: String] = [:]
        for field in fields.compactMap(DataCategory.init(rawValue:)) { corrected[field] = values[field] ?? nil }
        return RectificationNoticeContext(
            noticeID: noticeID, requestID: requestID, subjectID: subjectID, status: status,
            subjectStatus: resolvedStatus,
            identities: try SealedIdentities.open(identities, key: cipher.key, context: SealedIdentities.context("rectification_notices", noticeID)),
            corrected: corrected, target: try RecipientSecrets.target(recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: keys),
            purposeCode: purposeCode,
            disclosureFacts: DisclosureFacts(
                subjectStatus: resolvedStatus, recipientActive: recipientActive, countryAdequate: countryAdequate,
                crossBorderConsentGranted: crossBorderConsent),
            manual: manual)
    }
}
