import CustodianCore
import CustodianStore
import Foundation

/// A subject's page: masked unless revealed.
struct SubjectView {
    struct Field {
        let label: String
        let value: String
    }

    struct ConsentPurpose {
        let purpose: String
        let state: String
        let since: String
        let events: [ConsentEventRow]
    }

    struct ConsentEventRow {
        let action: String
        let at: String
        let channel: String
        let policy: String
    }

    struct OrderRow {
        let reference: String
        let status: String
        let placed: String
    }

    struct TransferRow {
        let recipient: String
        let categories: String
        let purpose: String
        let basis: String
        let at: String
    }

    struct RequestRow {
        let id: String
        let kind: String
        let status: String
        let due: String
    }

    struct AuditRow {
        let at: String
        let action: String
        let actor: String
    }

    let id: String
    let status: String
    let revealed: Bool
    let profile: [Field]
    let consents: [ConsentPurpose]
    let orders: [OrderRow]
    let transfers: [TransferRow]
    let requests: [RequestRow]
    let audit: [AuditRow]

    init(
        subject: SubjectRecord, revealed: Bool, consents: (states: [ConsentStateRecord], history: [ConsentEventRecord]), orders: [OrderRecord],
        transfers: [TransferRecord], requests: [SubjectRequestRecord], audit: [AuditTrailEntry], format: ConsoleFormat
    ) {
        id = subject.id.lowercasedString
        status = format.text("subject_" + subject.status.rawValue)
        self.revealed = revealed
        profile = [
            Field(label: format.text("field_name"), value: revealed ? subject.fullName ?? "" : ConsoleFormat.maskName(subject.fullName)),
            Field(label: format.text("field_email"), value: revealed ? subject.email ?? "" : ConsoleFormat.maskEmail(subject.email)),
            Field(label: format.text("field_phone"), value: revealed ? subject.phone ?? "" : ConsoleFormat.maskPhone(subject.phone)),
            Field(label: format.text("field_address"), value: revealed ? subject.registrationAddress ?? "" : subject.registrationAddress == nil ? "" : "***"),
            Field(label: format.text("field_external_ref"), value: subject.externalRef),
            Field(label: format.text("field_created"), value: format.time(subject.createdAt)),
        ]
        self.consents = consents.states.map { state in
            ConsentPurpose(
                purpose: state.purpose, state: state.action.map { format.text("consent_" + $0.rawValue) } ?? format.text("consent_none"),
                since: format.time(state.since),
                events: consents.history.filter { $0.purpose == state.purpose }.map { event in
                    ConsentEventRow(
                        action: format.text("consent_" + event.action.rawValue), at: format.time(event.occurredAt), channel: event.channel.rawValue,
                        policy: event.policyLabel)
                })
        }
        self.orders = orders.map { OrderRow(reference: $0.externalRef, status: $0.status.rawValue, placed: format.time($0.placedAt)) }
        self.transfers = transfers.map { transfer in
            TransferRow(
                recipient: transfer.recipientCode, categories: transfer.dataCategories.map(\.rawValue).joined(separator: ", "),
                purpose: transfer.purpose, basis: transfer.legalBasis, at: format.time(transfer.transferredAt))
        }
        self.requests = requests.map { request in
            RequestRow(
                id: request.id.lowercasedString, kind: format.text("kind_" + request.kind.rawValue),
                status: format.text("status_" + request.status.rawValue), due: request.dueOn.description)
        }
        self.audit = audit.map { entry in
            let actor = switch entry.event.actorKind {
            case .user: entry.userEmail ?? format.text("actor_user")
            case .apiKey: format.text("actor_api_key")
            case .system: format.text("actor_system")
            case .subject: format.text("actor_subject")
            }
            return AuditRow(at: format.time(entry.event.occurredAt), action: entry.event.action, actor: actor)
        }
    }
}
