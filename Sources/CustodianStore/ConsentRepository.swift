import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// A consent event to record, validated for shape; the rules are checked against stored facts on recording.
public struct NewConsentEvent: Sendable {
    public let subjectID: UUID
    public let purpose: String
    public let action: ConsentAction
    public let policyLabel: String
    public let channel: ConsentChannel
    public let occurredAt: Date
    /// Already truncated.
    public let ipAddress: String?
    public let userAgent: String?
    public let formID: String?

    public init(
        subjectID: UUID, purpose: String, action: ConsentAction, policyLabel: String, channel: ConsentChannel,
        occurredAt: Date, ipAddress: String?, userAgent: String?, formID: String?
    ) {
        self.subjectID = subjectID
        self.purpose = purpose
        self.action = action
        self.policyLabel = policyLabel
        self.channel = channel
        self.occurredAt = occurredAt
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.formID = formID
    }
}

/// A recorded consent event.
public struct ConsentEventRecord: Sendable, Equatable {
    public let id: UUID
    public let subjectID: UUID
    public let purpose: String
    public let action: ConsentAction
    public let policyLabel: String
    public let channel: ConsentChannel
    public let occurredAt: Date
    public let recordedAt: Date
    public let ipAddress: String?
    public let userAgent: String?
    public let formID: String?
}

/// The current state of one consent-based purpose for a subject; nil event when never asked.
public struct ConsentStateRecord: Sendable, Equatable {
    public let purpose: String
    public let legalBasis: LegalBasis
    public let action: ConsentAction?
    public let since: Date?
    public let eventID: UUID?
}

/// Why an event was not recorded, in terms the API turns into problems.
public enum ConsentRecordingFailure: Error, Equatable {
    case subjectNotFound
    case unknownPurpose(String)
    case unknownPolicyVersion(String)
    case refused(ConsentRefusal)
}

/// Records consent events and maintains the current state per subject and purpose, in one transaction with the audit
/// row and any job the event causes.
public struct ConsentRepository: Sendable {
    let database: Database

    public enum Action {
        public static let record = "consent.record"
        public static let read = "consent.read"
        public static let receipt = "consent.receipt"
    }

    static let eventColumns = """
        e.id, e.subject_id, e.purpose_code, e.action, p.label, e.channel, e.occurred_at, e.recorded_at,
        host(e.ip_address), e.user_agent, e.form_id
        """

    public init(database: Database) {
        self.database = database
    }

    /// Records the event. Locks the subject row first, so concurrent events of one subject serialise and a status change
    /// (restriction, erasure) cannot slip between the check and the write. Withdrawing `newsletter`, when it becomes the
    /// current state, enqueues the opt-out job in the same transaction.
    public func record(_ event: NewConsentEvent, actor: AuditActor, now: Date = Date()) async throws -> ConsentEventRecord {
        try await database.transaction { connection in
            let logger = database.logger
            guard let status = try await SubjectRepository.lockedStatus(of: event.subjectID, .exclusive, on: connection, logger: logger) else {
                throw ConsentRecordingFailure.subjectNotFound
            }
            guard let (basis, requiresConsent, retiredAt) = try await connection.query(
                "SELECT legal_basis, requires_consent, retired_at FROM purposes WHERE code = \(event.purpose)", logger: logger
            ).decode((String, Bool, Date?).self).first(where: { _ in true }), let legalBasis = LegalBasis(rawValue: basis) else {
                throw ConsentRecordingFailure.unknownPurpose(event.purpose)
            }
            guard let (policyID, effectiveAt) = try await connection.query(
                "SELECT id, effective_at FROM policy_versions WHERE label = \(event.policyLabel)", logger: logger
            ).decode((UUID, Date).self).first(where: { _ in true }) else {
                throw ConsentRecordingFailure.unknownPolicyVersion(event.policyLabel)
            }
            do throws(ConsentRefusal) {
                try ConsentRules.check(
                    action: event.action, purpose: event.purpose, policyLabel: event.policyLabel,
                    occurredAt: event.occurredAt, now: now,
                    context: ConsentContext(
                        legalBasis: legalBasis, requiresConsent: requiresConsent, purposeRetired: retiredAt != nil,
                        subjectStatus: status, policyEffectiveAt: effectiveAt))
            } catch {
                throw ConsentRecordingFailure.refused(error)
            }

            let id = UUID()
            try await connection.query("""
                INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at,
                                            ip_address, user_agent, form_id, api_key_id, request_id)
                VALUES (\(id), \(event.subjectID), \(event.purpose), \(event.action.rawValue), \(policyID), \(event.channel.rawValue),
                        \(event.occurredAt), \(event.ipAddress)::inet, \(event.userAgent), \(event.formID), \(actor.apiKeyID), \(actor.requestID))
                """, logger: logger)
            let becameCurrent = try await connection.query("""
                INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
                SELECT subject_id, purpose_code, id, action, occurred_at, recorded_at FROM consent_events WHERE id = \(id)
                ON CONFLICT (subject_id, purpose_code) DO UPDATE SET
                    event_id = EXCLUDED.event_id, action = EXCLUDED.action,
                    occurred_at = EXCLUDED.occurred_at, recorded_at = EXCLUDED.recorded_at
                WHERE (consent_states.occurred_at, consent_states.recorded_at) < (EXCLUDED.occurred_at, EXCLUDED.recorded_at)
                RETURNING event_id
                """, logger: logger).decode(UUID.self).first(where: { _ in true }) != nil
            if becameCurrent, event.action == .withdraw, event.purpose == PurposeCode.newsletter {
                try await JobQueue.enqueue(
                    NewJob(
                        kind: .newsletterOptOut,
                        payload: ["subject_id": event.subjectID.uuidString.lowercased(), "consent_event_id": id.uuidString.lowercased()],
                        uniqueKey: "\(JobKind.newsletterOptOut.rawValue):\(event.subjectID.uuidString.lowercased())", subjectID: event.subjectID),
                    on: connection, logger: logger)
            }
            try await AuditRepository.append(action: Action.record, subjectID: event.subjectID, actor: actor, on: connection, logger: logger)
            guard let record = try await Self.decodeEvents(connection.query(
                "SELECT \(unescaped: Self.eventColumns) FROM consent_events e JOIN policy_versions p ON p.id = e.policy_version_id WHERE e.id = \(id)",
                logger: logger)).first else { throw StoreError.unexpectedlyEmpty }
            return record
        }
    }

    /// Withdraws, inside the caller's transaction (which holds the subject's row), every consent-based purpose in
    /// `purposes` (nil: all of them) whose current state is a grant, under the policy version of that grant, and
    /// returns the purposes withdrawn. With `optOutNewsletter`, withdrawing the newsletter enqueues the opt-out job.
    static func withdrawAll(
        subjectID: UUID, purposes: [String]?, optOutNewsletter: Bool, actor: AuditActor, on connection: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        let withdrawn = try await connection.query("""
            WITH granted AS (
                SELECT cs.purpose_code, e.policy_version_id
                FROM consent_states cs JOIN consent_events e ON e.id = cs.event_id JOIN purposes p ON p.code = cs.purpose_code
                WHERE cs.subject_id = \(subjectID) AND cs.action = 'grant' AND p.legal_basis = 'consent'
                  AND (\(purposes)::text[] IS NULL OR cs.purpose_code = ANY(\(purposes)::text[]))
            ), inserted AS (
                INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, api_key_id, request_id)
                SELECT gen_random_uuid(), \(subjectID), purpose_code, 'withdraw', policy_version_id, 'api', clock_timestamp(),
                       \(actor.apiKeyID), \(actor.requestID)
                FROM granted
                RETURNING id, purpose_code, occurred_at, recorded_at
            )
            UPDATE consent_states cs SET event_id = i.id, action = 'withdraw', occurred_at = i.occurred_at, recorded_at = i.recorded_at
            FROM inserted i
            WHERE cs.subject_id = \(subjectID) AND cs.purpose_code = i.purpose_code
            RETURNING cs.purpose_code, cs.event_id
            """, logger: logger).decode((String, UUID).self).reduce(into: [(String, UUID)]()) { $0.append($1) }
        if optOutNewsletter, let (_, eventID) = withdrawn.first(where: { $0.0 == PurposeCode.newsletter }) {
            try await JobQueue.enqueue(
                NewJob(
                    kind: .newsletterOptOut,
                    payload: ["subject_id": subjectID.uuidString.lowercased(), "consent_event_id": eventID.uuidString.lowercased()],
                    uniqueKey: "\(JobKind.newsletterOptOut.rawValue):\(subjectID.uuidString.lowercased())", subjectID: subjectID),
                on: connection, logger: logger)
        }
        return withdrawn.map(\.0).sorted()
    }

    /// The subject's current state for every consent-based purpose and its full history, newest first; nil when there
    /// is no such subject. Two statements, no transaction (at READ COMMITTED each statement reads its own snapshot
    /// anyway): the states with the existence check and the audit row, then the history.
    public func overview(subjectID: UUID, actor: AuditActor) async throws -> (states: [ConsentStateRecord], history: [ConsentEventRecord])? {
        var subjectExists = false
        var states: [ConsentStateRecord] = []
        for try await (code, basis, action, since, eventID) in try await database.query("""
            WITH subject AS (SELECT id FROM subjects WHERE id = \(subjectID)),
            audited AS (
                INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
                SELECT \(actor.apiKeyID), \(Action.read), id, \(actor.requestID) FROM subject
            )
            SELECT state.code, state.legal_basis, state.action, state.occurred_at, state.event_id
            FROM subject LEFT JOIN LATERAL (
                SELECT p.code, p.legal_basis, s.action, s.occurred_at, s.event_id
                FROM purposes p LEFT JOIN consent_states s ON s.purpose_code = p.code AND s.subject_id = subject.id
                WHERE p.requires_consent OR s.event_id IS NOT NULL
            ) AS state ON true
            ORDER BY state.code
            """).decode((String?, String?, String?, Date?, UUID?).self) {
            subjectExists = true
            guard let code, let basis else { continue }
            states.append(ConsentStateRecord(
                purpose: code, legalBasis: LegalBasis(rawValue: basis) ?? .consent,
                action: action.flatMap(ConsentAction.init(rawValue:)), since: since, eventID: eventID))
        }
        guard subjectExists else { return nil }
        let history = try await Self.decodeEvents(database.query("""
            SELECT \(unescaped: Self.eventColumns) FROM consent_events e JOIN policy_versions p ON p.id = e.policy_version_id
            WHERE e.subject_id = \(subjectID) ORDER BY e.occurred_at DESC, e.recorded_at DESC
            """))
        return (states, history)
    }

    /// The purposes the subject currently consents to, with what a receipt states about each, and the subject's
    /// locale; nil when there is no such subject. Issuing a receipt is audited.
    public func grantedPurposes(subjectID: UUID, actor: AuditActor) async throws -> (locale: String, purposes: [ConsentReceipt.GrantedPurpose])? {
        try await database.transaction { connection in
            let logger = database.logger
            guard let locale = try await connection.query("SELECT locale FROM subjects WHERE id = \(subjectID)", logger: logger)
                .decode(String.self).first(where: { _ in true }) else { return nil }
            var purposes: [ConsentReceipt.GrantedPurpose] = []
            for try await (code, title, categories, kinds, retention, grantedAt, channel, url) in try await connection.query("""
                SELECT p.code, p.title, p.data_categories, p.recipient_kinds, p.retention_days, s.occurred_at, e.channel, v.url
                FROM consent_states s
                JOIN purposes p ON p.code = s.purpose_code
                JOIN consent_events e ON e.id = s.event_id
                JOIN policy_versions v ON v.id = e.policy_version_id
                WHERE s.subject_id = \(subjectID) AND s.action = 'grant'
                ORDER BY p.code
                """, logger: logger).decode((String, String, [String], [String], Int, Date, String, String).self) {
                purposes.append(ConsentReceipt.GrantedPurpose(
                    code: code, title: title, dataCategories: categories.compactMap(DataCategory.init(rawValue:)),
                    recipientKinds: kinds.compactMap(RecipientKind.init(rawValue:)), retentionDays: retention,
                    grantedAt: grantedAt, channel: ConsentChannel(rawValue: channel) ?? .api, policyURL: url))
            }
            try await AuditRepository.append(action: Action.receipt, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            return (locale, purposes)
        }
    }

    static func decodeEvents(_ rows: PostgresRowSequence) async throws -> [ConsentEventRecord] {
        var events: [ConsentEventRecord] = []
        for try await (id, subjectID, purpose, action, label, channel, occurredAt, recordedAt, ip, userAgent, formID)
            in rows.decode((UUID, UUID, String, String, String, String, Date, Date, String?, String?, String?).self) {
            guard let action = ConsentAction(rawValue: action), let channel = ConsentChannel(rawValue: channel) else {
                throw StoreError.unexpectedValue(column: "consent_events.action/channel")
            }
            events.append(ConsentEventRecord(
                id: id, subjectID: subjectID, purpose: purpose, action: action, policyLabel: label, channel: channel,
                occurredAt: occurredAt, recordedAt: recordedAt, ipAddress: ip, userAgent: userAgent, formID: formID))
        }
        return events
    }
}
