import CustodianCore
import CustodianStore
import Foundation

/// The account page's view: the consents with their forms, the requests with their status and export links, and one
/// form per kind of request.
struct AccountView {
    let consents: [ConsentRow]
    let requests: [RequestRow]
    let hasRequests: Bool
    let kinds: [KindForm]
    let policyLabel: String?
    let policyURL: String?
    let erased: Bool

    init(_ overview: PrivacyOverview, language: PortalLanguage, renderer: PortalRenderer, timeZone: TimeZone, now: Date = Date()) {
        func text(_ key: String) -> String { renderer.text(key, language) }
        func day(_ date: Date?) -> String? { date.map { CalendarDate($0, in: timeZone).description } }
        consents = overview.consents.map { item in
            ConsentRow(
                purpose: item.purpose, title: item.title, description: item.description, legalBasis: text("basis_" + item.legalBasis.rawValue),
                granted: item.granted == true, grantable: item.consentText != nil || !overview.consentTextsRegistered,
                state: text(item.granted == nil ? "consent_never" : item.granted == true ? "consent_granted" : "consent_withdrawn"),
                since: day(item.since), recipients: item.recipients.joined(separator: ", "), hasRecipients: !item.recipients.isEmpty,
                consentTextLabel: item.consentText?.label, consentTextURL: item.consentText?.url)
        }
        requests = overview.requests.map { record in
            let exportable = !overview.erased && record.kind == .access && record.status == .completed
                && PrivacyCenterRules.exportAvailable(completedAt: record.work.completedAt, now: now)
            return RequestRow(
                id: record.id.uuidString.lowercased(), kind: text("kind_" + record.kind.rawValue), status: text("status_" + record.status.rawValue),
                receivedOn: record.receivedOn.description, dueOn: record.dueOn.description, exportable: exportable,
                exportUntil: exportable ? day(record.work.completedAt?.addingTimeInterval(PrivacyCenterRules.exportAvailability)) : nil)
        }
        hasRequests = !overview.requests.isEmpty
        kinds = PrivacyCenterRules.requestKinds.map { kind in
            let grounds = RequestGround.allowed(for: kind)
            let assumed = RequestGround.assumed(for: kind)
            return KindForm(
                kind: kind.rawValue, title: text("kind_" + kind.rawValue), explanation: text("kind_help_" + kind.rawValue),
                grounds: grounds.map { GroundOption(value: $0.rawValue, label: text("ground_" + $0.rawValue), selected: $0 == assumed) },
                hasGrounds: !grounds.isEmpty, rectification: kind == .rectification, claim: kind == .claim)
        }
        policyLabel = overview.policy?.label
        policyURL = overview.policy?.url
        erased = overview.erased
    }
}

/// One consent-based purpose on the account page.
struct ConsentRow {
    let purpose: String
    let title: String
    let description: String
    let legalBasis: String
    let granted: Bool
    /// Whether a grant can be recorded here: the consent text it would be made on is in force, or the shop uses none.
    let grantable: Bool
    let state: String
    let since: String?
    let recipients: String
    let hasRecipients: Bool
    let consentTextLabel: String?
    let consentTextURL: String?
}

/// One of the customer's requests.
struct RequestRow {
    let id: String
    let kind: String
    let status: String
    let receivedOn: String
    let dueOn: String
    let exportable: Bool
    /// The last day the export can be downloaded.
    let exportUntil: String?
}

/// The form that files one kind of request.
struct KindForm {
    let kind: String
    let title: String
    let explanation: String
    let grounds: [GroundOption]
    let hasGrounds: Bool
    let rectification: Bool
    let claim: Bool
}

/// A ground the customer can name.
struct GroundOption {
    let value: String
    let label: String
    let selected: Bool
}
