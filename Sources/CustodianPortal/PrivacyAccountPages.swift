import CustodianConsole
import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// The signed-in customer's own pages: `GET /privacy/account` (consents, requests, the forms to change them), `POST
/// /privacy/consents` (grant or withdraw, channel `privacy_center`), `POST /privacy/requests` (a subject request of
/// the customer's own kind and ground), and the downloads of a fulfilled access request's export.
struct PrivacyAccountPages: Sendable {
    let shared: PrivacyCenter

    func register<Context: RemoteAddressRequestContext>(on group: RouterGroup<Context>) {
        group.get("account") { request, context in
            let subjectID = try await shared.subject(of: request, context)
            let overview = try await shared.repository.overview(subjectID: subjectID, actor: shared.actor(context))
            let chrome = shared.chrome(request, context, signedIn: true)
            return shared.page("privacy-account", chrome: chrome, page: AccountView(
                overview, language: chrome.chrome.language, renderer: shared.renderer, timeZone: shared.configuration.timeZone))
        }
        group.post("consents") { request, context in
            let form = try await shared.form(request, context)
            let subjectID = try await shared.subject(of: request, context)
            guard let purpose = form.trimmed("purpose"), purpose.utf8.count <= 64,
                  let action = form["action"].flatMap(ConsentAction.init(rawValue:)), (form["consent_text"]?.utf8.count ?? 0) <= 64
            else { throw PortalFailure.badInput(messageKey: "privacy_bad_request") }
            try await shared.count(subjectID.uuidString, on: shared.limiters.actionsPerSubject)
            do {
                _ = try await shared.repository.choose(
                    subjectID: subjectID, purpose: purpose, action: action, consentText: action == .grant ? form.trimmed("consent_text") : nil,
                    ipAddress: PortalRequest.clientAddress(request, context, configuration: shared.configuration),
                    userAgent: request.headers[.userAgent], actor: shared.actor(context))
            } catch let refusal as PrivacyChoiceRefusal {
                throw PortalFailure.conflict(messageKey: Self.messageKey(refusal))
            }
            return Response(status: .seeOther, headers: [.location: "/privacy/account#consents"])
        }
        group.post("requests") { request, context in
            let form = try await shared.form(request, context)
            let subjectID = try await shared.subject(of: request, context)
            let filed: NewSubjectRequest
            do {
                filed = try Self.request(form, subjectID: subjectID, regime: shared.configuration.regime)
            } catch let failure as ValidationFailure {
                let language = PortalRequest.language(of: request)
                return shared.page("privacy-message", chrome: shared.chrome(request, context, signedIn: true), page: MessageView(
                    message: shared.renderer.text("privacy_request_invalid", language),
                    details: failure.errors.map { shared.renderer.text(Self.messageKey(field: $0.field), language) }), status: .unprocessableContent)
            }
            try await shared.count(subjectID.uuidString, on: shared.limiters.actionsPerSubject)
            _ = try await SubjectRequestRepository(database: shared.database).create(
                filed, receivedOn: CalendarDate(filed.receivedAt, in: shared.configuration.timeZone), hasher: nil, actor: shared.actor(context))
            return Response(status: .seeOther, headers: [.location: "/privacy/account#requests"])
        }
        group.get("requests/:id/export/:format") { request, context in
            let subjectID = try await shared.subject(of: request, context)
            guard let id = UUID(uuidString: try context.parameters.require("id")),
                  let format = ExportFormat(rawValue: try context.parameters.require("format"))
            else { throw PortalFailure.notFound }
            let json: String
            do {
                json = try await shared.repository.export(requestID: id, subjectID: subjectID, actor: shared.actor(context))
            } catch let refusal as PrivacyExportRefusal {
                switch refusal {
                case .notFound: throw PortalFailure.notFound
                case .notReady: throw PortalFailure.conflict(messageKey: "privacy_export_not_ready")
                case .expired: throw PortalFailure.gone
                }
            }
            return format.download(json, requestID: id, language: PortalRequest.language(of: request), renderer: shared.renderer)
        }
    }

    /// The request the form describes, filed now by the subject itself.
    static func request(_ form: FormFields, subjectID: UUID, regime: RequestRegime) throws -> NewSubjectRequest {
        guard let kind = form["kind"].flatMap(SubjectRequestKind.init(rawValue:)) else {
            throw ValidationFailure([FieldError(field: "kind", message: "must be one of the kinds offered")])
        }
        var ground: RequestGround?
        if let named = form.trimmed("ground") {
            guard let parsed = RequestGround(rawValue: named) else { throw ValidationFailure([FieldError(field: "ground", message: "is not a ground")]) }
            ground = parsed
        }
        let corrections = kind == .rectification ? try SubjectCorrections(
            fullName: form.trimmed("full_name"), email: form.trimmed("email"), phone: form.trimmed("phone"),
            registrationAddress: form.trimmed("registration_address")) : nil
        return try NewSubjectRequest(
            subjectID: subjectID.uuidString, email: nil, phone: nil, externalRef: nil, kind: kind, regime: regime, channel: .privacyCenter,
            receivedAt: Date(), ground: ground, corrections: corrections, purposes: nil, claimText: kind == .claim ? form["text"] ?? "" : nil)
    }

    /// What the page says about an invalid field, in the customer's words rather than the API's.
    static func messageKey(field: String) -> String {
        let known = ["kind", "ground", "corrections", "corrections.full_name", "corrections.email", "corrections.phone",
                     "corrections.registration_address", "text"]
        return known.contains(field) ? "privacy_invalid_" + field.replacingOccurrences(of: ".", with: "_") : "privacy_invalid_other"
    }

    static func messageKey(_ refusal: PrivacyChoiceRefusal) -> String {
        switch refusal {
        case .noPolicy: "privacy_no_policy"
        case .refused(.refused(.consentTextRequired)), .refused(.refused(.consentTextDoesNotCover)), .refused(.refused(.consentTextNotYetEffective)),
             .refused(.unknownConsentText):
            "privacy_no_consent_text"
        case .refused(.refused(.subjectNotActive(_))): "privacy_consent_blocked"
        case .refused: "privacy_consent_refused"
        }
    }
}
