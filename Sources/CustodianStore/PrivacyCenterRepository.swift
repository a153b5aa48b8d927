import Crypto
import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A consent-based purpose as the privacy center shows it to its subject.
public struct PrivacyConsentItem: Sendable, Equatable {
    public let purpose: String
    public let title: String
    public let description: String
    public let legalBasis: LegalBasis
    /// The current choice; nil when the subject was never asked.
    public let granted: Bool?
    public let since: Date?
    /// The names of the active recipients of the purpose's recipient kinds.
    public let recipients: [String]
    /// The newest effective consent text asking consent for the purpose, which a grant here is made on.
    public let consentText: DocumentLink?
}

/// A registered document by label and address: a consent text or a policy version.
public struct DocumentLink: Sendable, Equatable {
    public let label: String
    public let url: String
}

/// Everything the privacy center's account page shows, read for the subject itself.
public struct PrivacyOverview: Sendable {
    public let consents: [PrivacyConsentItem]
    /// The subject's requests, newest first.
    public let requests: [SubjectRequestRecord]
    /// The policy version in force, which choices made here are recorded under; nil when none is registered.
    public let policy: DocumentLink?
    /// The subject's data are destroyed: only its requests are left to see.
    public let erased: Bool
    /// Whether the shop registered consent texts: then a purpose without one in force cannot be granted here.
    public let consentTextsRegistered: Bool
}

/// Why the privacy center cannot give an export.
public enum PrivacyExportRefusal: Error, Sendable, Equatable {
    /// No access request of this subject has that id.
    case notFound
    /// The request is not fulfilled yet.
    case notReady
    /// Fulfilled longer ago than ``PrivacyCenterRules/exportAvailability``, or the subject's data were erased since.
    case expired
}

/// Why a choice made in the privacy center was not recorded.
public enum PrivacyChoiceRefusal: Error, Sendable, Equatable {
    /// The shop registered no policy version in force yet.
    case noPolicy
    case refused(ConsentRecordingFailure)
}

/// The privacy center's reads and writes on behalf of a verified subject: its session, its overview, its consent
/// choices and requests, its exports. Every act is the subject's own (``AuditActor/subject(requestID:)``).
public struct PrivacyCenterRepository: Sendable {
    let database: Database

    public static let viewAction = "privacy.view"
    public static let signOutAction = "privacy.signed_out"

    public init(database: Database) {
        self.database = database
    }

    /// The subject a live session token belongs to; nil when the token is unknown or expired. A session outlives its
    /// subject's erasure, so the customer sees that request completed; it shows nothing else then.
    public func subject(ofSession token: String, now: Date = Date()) async throws -> UUID? {
        try await database.query("""
            SELECT subject_id FROM privacy_sessions WHERE token_hash = \(Self.hash(token)) AND expires_at > \(now)
            """).decode(UUID.self).first(where: { _ in true })
    }

    /// Ends the session (and every expired one of the same subject), audited.
    public func endSession(_ token: String, actor: AuditActor) async throws {
        try await database.transaction { connection in
            let logger = database.logger
            guard let subjectID = try await connection.query(
                "DELETE FROM privacy_sessions WHERE token_hash = \(Self.hash(token)) RETURNING subject_id", logger: logger
            ).decode(UUID.self).first(where: { _ in true }) else { return }
            try await connection.query(
                "DELETE FROM privacy_sessions WHERE subject_id = \(subjectID) AND expires_at <= now()", logger: logger)
            try await AuditRepository.append(action: Self.signOutAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
        }
    }

    /// The subject's consent-based purposes with their state, recipients and consent text, its requests and the
    /// policy in force, read as one snapshot and audited.
    public func overview(subjectID: UUID, actor: AuditActor, now: Date = Date()) async throws -> PrivacyOverview {
        try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            let (erased, textsRegistered) = try await connection.query("""
                SELECT status = 'erased', EXISTS (SELECT 1 FROM consent_texts) FROM subjects WHERE id = \(subjectID)
                """, logger: logger).decode((Bool, Bool).self).first(where: { _ in true }) ?? (true, false)
            var consents: [PrivacyConsentItem] = []
            for try await (code, title, description, basis, action, since, recipients, textLabel, textURL) in try await connection.query("""
                SELECT p.code, p.title, p.description, p.legal_basis, s.action, s.occurred_at,
                       ARRAY(SELECT r.name FROM recipients r WHERE r.active AND r.kind = ANY(p.recipient_kinds) ORDER BY r.name),
                       t.label, t.url
                FROM purposes p
                LEFT JOIN consent_states s ON s.purpose_code = p.code AND s.subject_id = \(subjectID)
                LEFT JOIN LATERAL (
                    SELECT label, url FROM consent_texts WHERE p.code = ANY(purposes) AND effective_at <= \(now)
                    ORDER BY effective_at DESC, created_at DESC LIMIT 1
                ) t ON true
                WHERE p.requires_consent AND p.retired_at IS NULL
                ORDER BY p.code
                """, logger: logger).decode((String, String, String, String, String?, Date?, [String], String?, String?).self) {
                consents.append(PrivacyConsentItem(
                    purpose: code, title: title, description: description, legalBasis: LegalBasis(rawValue: basis) ?? .consent,
                    granted: action.map { $0 == ConsentAction.grant.rawValue }, since: since, recipients: recipients,
                    consentText: textLabel.flatMap { label in textURL.map { DocumentLink(label: label, url: $0) } }))
            }
            let requests = try await SubjectRequestRepository.decode(connection.query("""
                SELECT \(unescaped: SubjectRequestRepository.columns) FROM subject_requests
                WHERE subject_id = \(subjectID) ORDER BY received_at DESC, id LIMIT 100
                """, logger: logger), keys: try database.requireKeys())
            let policy = try await Self.policyInForce(now: now, on: connection, logger: logger)
            try await AuditRepository.append(action: Self.viewAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            return PrivacyOverview(
                consents: erased ? [] : consents, requests: requests, policy: policy, erased: erased, consentTextsRegistered: textsRegistered)
        }
    }

    /// Records the subject's own grant or withdrawal of `purpose` (channel `privacy_center`), under the policy in force
    /// and — for a grant — the consent text the page showed (`consentText`; the rules check it covers the purpose and is
    /// in force), with the truncated address and user agent as evidence.
    public func choose(
        subjectID: UUID, purpose: String, action: ConsentAction, consentText: String?, ipAddress: String?, userAgent: String?,
        actor: AuditActor, now: Date = Date()
    ) async throws -> ConsentEventRecord {
        let policy = try await database.transaction { connection in
            try await Self.policyInForce(now: now, on: connection, logger: database.logger)
        }
        guard let policy else { throw PrivacyChoiceRefusal.noPolicy }
        let evidence = try ConsentEvidence(
            ipAddress: ipAddress.flatMap(IPAddressTruncation.truncate), userAgent: PrivacyCenterRules.userAgentEvidence(userAgent),
            formID: "privacy-center")
        do {
            return try await ConsentRepository(database: database).record(
                NewConsentEvent(
                    subjectID: subjectID, purpose: purpose, action: action, policyLabel: policy.label, channel: .privacyCenter,
                    occurredAt: now, ipAddress: evidence.ipAddress, userAgent: evidence.userAgent, formID: evidence.formID,
                    consentTextLabel: consentText),
                actor: actor, now: now)
        } catch let failure as ConsentRecordingFailure {
            throw PrivacyChoiceRefusal.refused(failure)
        }
    }

    /// The export of the subject's own access request `requestID`, while ``PrivacyCenterRules/exportAvailable`` holds;
    /// the download is audited like the DPO's.
    public func export(requestID: UUID, subjectID: UUID, actor: AuditActor, now: Date = Date()) async throws -> String {
        guard let (status, completedAt, erased) = try await database.query("""
            SELECT q.status, q.completed_at, s.status = 'erased' FROM subject_requests q JOIN subjects s ON s.id = q.subject_id
            WHERE q.id = \(requestID) AND q.subject_id = \(subjectID) AND q.kind = \(SubjectRequestKind.access.rawValue)
            """).decode((String, Date?, Bool).self).first(where: { _ in true }) else { throw PrivacyExportRefusal.notFound }
        guard status == SubjectRequestStatus.completed.rawValue else { throw PrivacyExportRefusal.notReady }
        // Once the data are erased there is nothing left to export.
        guard !erased, PrivacyCenterRules.exportAvailable(completedAt: completedAt, now: now) else { throw PrivacyExportRefusal.expired }
        return try await SubjectRequestWork(database: database, hasher: nil).export(id: requestID, actor: actor)
    }

    /// The newest policy version already in force.
    static func policyInForce(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> DocumentLink? {
        try await connection.query("""
            SELECT label, url FROM policy_versions WHERE effective_at <= \(now) ORDER BY effective_at DESC, created_at DESC LIMIT 1
            """, logger: logger).decode((String, String).self).first(where: { _ in true }).map { DocumentLink(label: $0.0, url: $0.1) }
    }

    static func hash(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: SHA256.hash(data: Data(token.utf8)))
    }
}
