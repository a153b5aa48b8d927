import CustodianCore
import CustodianDatabase
import CustodianQueue
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
    /// The label of the consent text the customer was shown.
    public let consentTextLabel: String?

    public init(
        subjectID: UUID, purpose: String, action: ConsentAction, policyLabel: String, channel: ConsentChannel,
        occurredAt: Date, ipAddress: String?, userAgent: String?, formID: String?, consentTextLabel: String?
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
        self.consentTextLabel = consentTextLabel
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
    public let consentTextLabel: String?
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
    case unknownConsentText(String)
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

    public init(database: Database) {
        self.database = database
    }

    /// Records the event. Locks the subject row first, so concurrent events of one subject serialise and a status change
    /// (restriction, erasure) cannot slip between the check and the write. Withdrawing `newsletter`, when it becomes the
    /// current state, enqueues the opt-out job in the same transaction; a change of a propagating purpose, its
    /// `consent.changed` notices (``ConsentPropagation``). Two prepared statements between BEGIN and COMMIT (one
    /// more for a job): the locked subject with the purpose, the policy version and the consent text
    /// (``ConsentContextStatement``), then the event, the state and the audit row (``ConsentEventWriteStatement``).
    public func record(_ event: NewConsentEvent, actor: AuditActor, now: Date = Date()) async throws -> ConsentEventRecord {
        try await database.transaction { connection in
            let logger = database.logger
            guard let (subjectStatus, basis, requiresConsent, retiredAt, policyID, effectiveAt, textID, textEffectiveAt, textCovers, textsRegistered)
                    = try await connection.execute(ConsentContextStatement(event), logger: logger)
                        .first(where: { _ in true })?.decode((String, String?, Bool?, Date?, UUID?, Date?, UUID?, Date?, Bool?, Bool).self),
                let status = SubjectStatus(rawValue: subjectStatus)
            else { throw ConsentRecordingFailure.subjectNotFound }
            guard let basis, let legalBasis = LegalBasis(rawValue: basis), let requiresConsent else {
                throw ConsentRecordingFailure.unknownPurpose(event.purpose)
            }
            guard let policyID, let effectiveAt else { throw ConsentRecordingFailure.unknownPolicyVersion(event.policyLabel) }
            var consentText: ConsentTextFacts?
            if let label = event.consentTextLabel {
                guard textID != nil, let textEffectiveAt else { throw ConsentRecordingFailure.unknownConsentText(label) }
                consentText = ConsentTextFacts(label: label, coversPurpose: textCovers ?? false, effectiveAt: textEffectiveAt)
            }
            do throws(ConsentRefusal) {
                try ConsentRules.check(
                    action: event.action, purpose: event.purpose, policyLabel: event.policyLabel,
                    occurredAt: event.occurredAt, now: now,
                    context: ConsentContext(
                        legalBasis: legalBasis, requiresConsent: requiresConsent, purposeRetired: retiredAt != nil,
                        subjectStatus: status, policyEffectiveAt: effectiveAt, consentTextsRegistered: textsRegistered,
                        consentText: consentText))
            } catch {
                throw ConsentRecordingFailure.refused(error)
            }

            let id = UUID()
            var written: (record: ConsentEventRecord, becameCurrent: Bool)?
            for try await row in try await connection.execute(
                ConsentEventWriteStatement(event, id: id, policyID: policyID, textID: textID, actor: actor), logger: logger
            ) {
                let (subjectID, purpose, action, channel, occurredAt, recordedAt, ip, userAgent, formID, becameCurrent)
                    = try row.decode((UUID, String, String, String, Date, Date, String?, String?, String?, Bool).self)
                guard let action = ConsentAction(rawValue: action), let channel = ConsentChannel(rawValue: channel) else {
                    throw StoreError.unexpectedValue(column: "consent_events.action/channel")
                }
                written = (ConsentEventRecord(
                    id: id, subjectID: subjectID, purpose: purpose, action: action, policyLabel: event.policyLabel, channel: channel,
                    occurredAt: occurredAt, recordedAt: recordedAt, ipAddress: ip, userAgent: userAgent, formID: formID,
                    consentTextLabel: event.consentTextLabel), becameCurrent)
            }
            guard let written else { throw StoreError.unexpectedlyEmpty }
            if written.becameCurrent, event.action == .withdraw, event.purpose == PurposeCode.newsletter {
                try await Self.enqueueOptOut(subjectID: event.subjectID, eventID: id, on: connection, logger: logger)
            }
            if written.becameCurrent, ConsentPropagation.propagates(purpose: event.purpose, basis: legalBasis) {
                try await ConsentChangeNoticeRepository.enqueue(eventID: id, on: connection, logger: logger)
            }
            return written.record
        }
    }

    /// What a click on an unsubscribe link did.
    public enum LinkWithdrawal: Sendable, Equatable {
        case withdrawn
        /// The consent was not granted (a replay, or withdrawn another way): nothing changed.
        case alreadyWithdrawn
        case unknownSubject
    }

    /// Withdraws the consent an unsubscribe link names (RFC 8058), as the subject's own act: channel `email_link`,
    /// the token id as evidence, the newsletter's opt-out job and any consent change notices in the same transaction,
    /// audited. A withdrawal always passes, for a restricted subject too; a replay changes nothing.
    public func withdraw(by claim: UnsubscribeClaim, actor: AuditActor) async throws -> LinkWithdrawal {
        try await database.transaction { connection in
            let logger = database.logger
            guard try await SubjectRepository.lockedStatus(of: claim.subjectID, .exclusive, on: connection, logger: logger) != nil else {
                return .unknownSubject
            }
            let withdrawn = try await Self.withdrawAll(
                subjectID: claim.subjectID, purposes: [claim.purpose], optOutNewsletter: true, channel: .emailLink,
                formID: "unsubscribe-link:\(claim.tokenID)", actor: actor, on: connection, logger: logger)
            guard !withdrawn.isEmpty else { return .alreadyWithdrawn }
            try await AuditRepository.append(action: Action.record, subjectID: claim.subjectID, actor: actor, on: connection, logger: logger)
            return .withdrawn
        }
    }

    /// Withdraws, inside the caller's transaction (which holds the subject's row), every consent-based purpose in
    /// `purposes` (nil: all of them) whose current state is a grant, under the policy version and consent text of that grant, and
    /// returns the purposes withdrawn. With `optOutNewsletter`, withdrawing the newsletter enqueues the opt-out job; the
    /// withdrawals of propagating purposes enqueue their `consent.changed` notices.
    @discardableResult
    static func withdrawAll(
        subjectID: UUID, purposes: [String]?, optOutNewsletter: Bool, channel: ConsentChannel = .api, formID: String? = nil, actor: AuditActor,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        let withdrawn = try await connection.query("""
            WITH granted AS (
                SELECT cs.purpose_code, e.policy_version_id, e.consent_text_id
                FROM consent_states cs JOIN consent_events e ON e.id = cs.event_id JOIN purposes p ON p.code = cs.purpose_code
                WHERE cs.subject_id = \(subjectID) AND cs.action = 'grant' AND p.legal_basis = 'consent'
                  AND (\(purposes)::text[] IS NULL OR cs.purpose_code = ANY(\(purposes)::text[]))
            ), inserted AS (
                INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, api_key_id, request_id,
                                            consent_text_id, form_id)
                SELECT gen_random_uuid(), \(subjectID), purpose_code, 'withdraw', policy_version_id, \(channel.rawValue), clock_timestamp(),
                       \(actor.apiKeyID), \(actor.requestID), consent_text_id, \(formID)
                FROM granted
                RETURNING id, purpose_code, occurred_at, recorded_at
            )
            UPDATE consent_states cs SET event_id = i.id, action = 'withdraw', occurred_at = i.occurred_at, recorded_at = i.recorded_at, swept_at = NULL
            FROM inserted i
            WHERE cs.subject_id = \(subjectID) AND cs.purpose_code = i.purpose_code
            RETURNING cs.purpose_code, cs.event_id
            """, logger: logger).decode((String, UUID).self).reduce(into: [(String, UUID)]()) { $0.append($1) }
        for (purpose, eventID) in withdrawn where ConsentPropagation.propagates(purpose: purpose, basis: .consent) {
            try await ConsentChangeNoticeRepository.enqueue(eventID: eventID, on: connection, logger: logger)
        }
        if optOutNewsletter, let (_, eventID) = withdrawn.first(where: { $0.0 == PurposeCode.newsletter }) {
            try await Self.enqueueOptOut(subjectID: subjectID, eventID: eventID, on: connection, logger: logger)
        }
        return withdrawn.map(\.0).sorted()
    }

    /// The newsletter opt-out a withdrawal causes: one live job per subject.
    static func enqueueOptOut(subjectID: UUID, eventID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await JobQueue.enqueue(
            NewsletterOptOutJob.self, .init(subjectID: subjectID, consentEventID: eventID),
            uniqueKey: "\(NewsletterOptOutJob.name):\(subjectID.uuidString.lowercased())", subjectID: subjectID, on: connection, logger: logger)
    }

    /// The subject's current state for every consent-based purpose and its full history, newest first; nil when there
    /// is no such subject, ``SubjectRestricted`` when it is blocked for `actor`. One prepared statement
    /// (``ConsentOverviewStatement``, one round trip): the subject's status (the existence and block check), the audit
    /// row (only when permitted), the states and the history.
    public func overview(subjectID: UUID, actor: AuditActor) async throws -> (states: [ConsentStateRecord], history: [ConsentEventRecord])? {
        var subjectExists = false
        var states: [ConsentStateRecord] = []
        var history: [ConsentEventRecord] = []
        for row in try await database.execute(ConsentOverviewStatement(subjectID: subjectID, actor: actor)) {
            let (part, status, code, basis, action, since, stateEventID, id, eventSubjectID, purpose, eventAction, label, channel,
                 occurredAt, recordedAt, ip, userAgent, formID, textLabel)
                = try row.decode((Int32, String?, String?, String?, String?, Date?, UUID?, UUID?, UUID?, String?, String?, String?, String?,
                                  Date?, Date?, String?, String?, String?, String?).self)
            switch part {
            case 0:
                guard let status = status.flatMap(SubjectStatus.init(rawValue:)) else { throw StoreError.unexpectedValue(column: "subjects.status") }
                try actor.requirePermitted(status)
                subjectExists = true
            case 1:
                guard let code, let basis else { continue }
                states.append(ConsentStateRecord(
                    purpose: code, legalBasis: LegalBasis(rawValue: basis) ?? .consent,
                    action: action.flatMap(ConsentAction.init(rawValue:)), since: since, eventID: stateEventID))
            default:
                guard let id, let eventSubjectID, let purpose, let label, let occurredAt, let recordedAt,
                      let eventAction = eventAction.flatMap(ConsentAction.init(rawValue:)), let channel = channel.flatMap(ConsentChannel.init(rawValue:))
                else { throw StoreError.unexpectedValue(column: "consent_events") }
                history.append(ConsentEventRecord(
                    id: id, subjectID: eventSubjectID, purpose: purpose, action: eventAction, policyLabel: label, channel: channel,
                    occurredAt: occurredAt, recordedAt: recordedAt, ipAddress: ip, userAgent: userAgent, formID: formID,
                    consentTextLabel: textLabel))
            }
        }
        guard subjectExists else { return nil }
        return (states, history)
    }

    /// The purposes the subject currently consents to, with what a receipt states about each, and the subject's
    /// locale; nil when there is no such subject, ``SubjectRestricted`` when it is blocked for `actor`. Issuing a receipt
    /// is audited.
    public func grantedPurposes(subjectID: UUID, actor: AuditActor) async throws -> (locale: String, purposes: [ConsentReceipt.GrantedPurpose])? {
        try await database.transaction { connection in
            let logger = database.logger
            guard let (locale, status) = try await connection.query("SELECT locale, status FROM subjects WHERE id = \(subjectID)", logger: logger)
                .decode((String, String).self).first(where: { _ in true }) else { return nil }
            guard let status = SubjectStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "subjects.status") }
            try actor.requirePermitted(status)
            var purposes: [ConsentReceipt.GrantedPurpose] = []
            for try await (code, title, categories, kinds, retention, grantedAt, channel, url, textLabel, textURL, textSHA256) in try await connection.query("""
                SELECT p.code, p.title, p.data_categories, p.recipient_kinds, p.retention_days, s.occurred_at, e.channel, v.url,
                       t.label, t.url, t.text_sha256
                FROM consent_states s
                JOIN purposes p ON p.code = s.purpose_code
                JOIN consent_events e ON e.id = s.event_id
                JOIN policy_versions v ON v.id = e.policy_version_id
                LEFT JOIN consent_texts t ON t.id = e.consent_text_id
                WHERE s.subject_id = \(subjectID) AND s.action = 'grant'
                ORDER BY p.code
                """, logger: logger).decode((String, String, [String], [String], Int, Date, String, String, String?, String?, String?).self) {
                var consentText: ConsentTextReference?
                if let textLabel, let textURL, let textSHA256 { consentText = ConsentTextReference(label: textLabel, url: textURL, sha256: textSHA256) }
                purposes.append(ConsentReceipt.GrantedPurpose(
                    code: code, title: title, dataCategories: categories.compactMap(DataCategory.init(rawValue:)),
                    recipientKinds: kinds.compactMap(RecipientKind.init(rawValue:)), retentionDays: retention,
                    grantedAt: grantedAt, channel: ConsentChannel(rawValue: channel) ?? .api, policyURL: url, consentText: consentText))
            }
            try await AuditRepository.append(action: Action.receipt, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            return (locale, purposes)
        }
    }
}
