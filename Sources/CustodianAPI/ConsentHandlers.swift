import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func recordConsentEvent(_ input: Operations.RecordConsentEvent.Input) async throws -> Operations.RecordConsentEvent.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        let evidence = try CustodianCore.ConsentEvidence(
            ipAddress: body.evidence?.ipAddress, userAgent: body.evidence?.userAgent, formID: body.evidence?.formId)
        let channel: ConsentChannel = try body.channel.mapped()
        guard channel.isRecordedByClients else {
            throw Problem.validation([FieldError(field: "channel", message: "privacy_center is recorded only by the privacy center")])
        }
        let event = NewConsentEvent(
            subjectID: subjectID, purpose: body.purpose, action: try body.action.mapped(), policyLabel: body.policyVersion,
            channel: channel, occurredAt: body.occurredAt ?? Date(),
            ipAddress: evidence.ipAddress, userAgent: evidence.userAgent, formID: evidence.formID, consentTextLabel: body.consentText)
        let record = try await ConsentRepository(database: database).record(event, actor: RequestScope.actor)
        return .created(.init(
            headers: .init(location: "/v1/subjects/\(subjectID.lowercasedString)/consents/\(record.id.lowercasedString)"),
            body: .json(try .init(record))))
    }

    func getConsentEvent(_ input: Operations.GetConsentEvent.Input) async throws -> Operations.GetConsentEvent.Output {
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        let eventID = try uuid(input.path.eventId, parameter: "event_id")
        // Read as the subject's consents are (audited, blocked for the shop while restricted), then the one event.
        guard let (_, history) = try await ConsentRepository(database: database).overview(subjectID: subjectID, actor: RequestScope.actor),
              let event = history.first(where: { $0.id == eventID })
        else { throw Problem.notFound("consent event") }
        return .ok(.init(body: .json(try .init(event))))
    }

    func getConsents(_ input: Operations.GetConsents.Input) async throws -> Operations.GetConsents.Output {
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        guard let (states, history) = try await ConsentRepository(database: database).overview(subjectID: subjectID, actor: RequestScope.actor) else {
            throw Problem.notFound("subject")
        }
        return .ok(.init(body: .json(.init(
            subjectId: subjectID.lowercasedString,
            current: try states.map(Components.Schemas.ConsentState.init),
            history: try history.map(Components.Schemas.ConsentEvent.init)))))
    }
}

extension Components.Schemas.ConsentEvent {
    init(_ record: ConsentEventRecord) throws {
        self.init(
            id: record.id.lowercasedString, subjectId: record.subjectID.lowercasedString, purpose: record.purpose,
            action: try record.action.mapped(), policyVersion: record.policyLabel, consentText: record.consentTextLabel, channel: try record.channel.mapped(),
            occurredAt: record.occurredAt, recordedAt: record.recordedAt,
            evidence: .init(ipAddress: record.ipAddress, userAgent: record.userAgent, formId: record.formID))
    }
}

extension Components.Schemas.ConsentState {
    init(_ record: ConsentStateRecord) throws {
        let state: StatePayload = switch record.action {
        case .grant: .granted
        case .withdraw: .withdrawn
        case nil: .neverAsked
        }
        self.init(
            purpose: record.purpose, legalBasis: try record.legalBasis.mapped(), state: state, since: record.since,
            eventId: record.eventID?.lowercasedString)
    }
}

extension Problem {
    /// The problem a refused consent event answers with; it names purposes, bases and states, never personal data.
    init(_ failure: ConsentRecordingFailure) {
        switch failure {
        case .subjectNotFound:
            self = .notFound("subject")
        case .unknownPurpose:
            self = .validation([FieldError(field: "purpose", message: "is not a purpose in the catalogue")])
        case .unknownPolicyVersion:
            self = .validation([FieldError(field: "policy_version", message: "is not a registered policy version")])
        case .unknownConsentText:
            self = .validation([FieldError(field: "consent_text", message: "is not a registered consent text")])
        case .refused(.consentTextRequired):
            self = .validation([FieldError(
                field: "consent_text",
                message: "is required: the shop has registered consent texts, and a grant names the one the customer was shown (152-FZ Art. 9)")])
        case .refused(.consentTextDoesNotCover(let label, let purpose)):
            self = .validation([FieldError(field: "consent_text", message: "\(label) does not ask consent for the purpose \(purpose)")])
        case .refused(.consentTextNotYetEffective):
            self = .validation([FieldError(field: "consent_text", message: "was not yet in effect at occurred_at")])
        case .refused(.notConsentBased(let purpose, let basis)):
            self = Problem(
                type: .notConsentBased, title: "Purpose is not based on consent",
                detail: "The purpose \(purpose) is processed on the legal basis \(basis.rawValue), not consent: there is no consent to grant or withdraw.")
        case .refused(.purposeRetired(let purpose)):
            self = Problem(type: .purposeRetired, detail: "The purpose \(purpose) is retired and takes no new grants.")
        case .refused(.subjectNotActive(let status)):
            self = Problem.conflict(.subjectNotActive(status), "The subject is \(status.rawValue): consent cannot be granted.")
        case .refused(.policyNotYetEffective):
            self = .validation([FieldError(field: "policy_version", message: "was not yet in effect at occurred_at")])
        case .refused(.occurredInFuture):
            self = .validation([FieldError(field: "occurred_at", message: "must not be more than 5 minutes in the future")])
        }
    }
}
