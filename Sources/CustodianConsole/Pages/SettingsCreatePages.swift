import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// Registering a recipient (its signing secret shown once, as the API's 201 shows it) and a purpose, from the
/// configuration page, with the API's Core rules and repositories.
struct SettingsCreatePages: ConsolePageGroup {
    let shared: ConsolePages

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("settings/new-recipient") { request, _ in
            let signedIn = try await actingUser(request)
            return recipientForm(signedIn, form: FormFields(values: ["country": "RU"]), errors: [])
        }
        console.post("settings/new-recipient") { request, _ in
            let (signedIn, form) = try await guardian.action(request)
            let recipient: NewRecipient
            do {
                guard let kind = form["kind"].flatMap(RecipientKind.init(rawValue:)) else {
                    throw ValidationFailure([FieldError(field: "kind", message: "must be one of the kinds listed")])
                }
                recipient = try NewRecipient(
                    code: form.trimmed("code") ?? "", name: form["name"] ?? "", kind: kind, baseURL: form.trimmed("base_url"),
                    apiToken: form.trimmed("api_token"), signingSecret: nil, country: form["country"] ?? "",
                    countryAdequate: form["country_adequate"] == "yes", dataCategories: SettingsEditPages.categories(form),
                    policy: configuration.outboundPolicy, deliveryMode: form["delivery_mode"].flatMap(DeliveryMode.init(rawValue:)) ?? .api,
                    contact: form.trimmed("contact"), language: form["language"].flatMap(TaskLanguage.init(rawValue:)) ?? .ru)
                _ = try await RecipientRepository(database: database).create(recipient, actor: signedIn.actor)
            } catch let failure as ValidationFailure {
                return recipientForm(signedIn, form: form, errors: failure.errors)
            } catch StoreError.duplicate(let field) {
                return recipientForm(signedIn, form: form, errors: [FieldError(field: field, message: "exists already")])
            }
            return renderer.page(
                "recipient-created", title: "recipient_title", chrome: signedIn.chrome,
                page: CreatedRecipientView(code: recipient.code, signingSecret: recipient.signingSecret.text))
        }
        console.get("settings/new-purpose") { request, _ in
            let signedIn = try await actingUser(request)
            return purposeForm(signedIn, form: FormFields(values: ["retention_days": "30"]), errors: [])
        }
        console.post("settings/new-purpose") { request, _ in
            let (signedIn, form) = try await guardian.action(request)
            do {
                guard let basis = form["legal_basis"].flatMap(LegalBasis.init(rawValue:)), let days = form.trimmed("retention_days").flatMap(Int.init) else {
                    throw ValidationFailure([FieldError(field: "legal_basis", message: "choose a basis and give the retention in whole days")])
                }
                let purpose = try NewPurpose(
                    code: form.trimmed("code") ?? "", title: form["title"] ?? "", description: form["description"], legalBasis: basis,
                    requiresConsent: basis == .consent || form["requires_consent"] == "yes", retentionDays: days,
                    recipientKinds: RecipientKind.allCases.filter { form["kind_\($0.rawValue)"] == "yes" },
                    dataCategories: SettingsEditPages.categories(form))
                _ = try await PurposeRepository(database: database).create(purpose, actor: signedIn.actor)
            } catch let failure as ValidationFailure {
                return purposeForm(signedIn, form: form, errors: failure.errors)
            } catch StoreError.duplicate(let field) {
                return purposeForm(signedIn, form: form, errors: [FieldError(field: field, message: "exists already")])
            }
            return SettingsPages.backToSettings
        }
    }

    /// A blank form is shown to those who may act only.
    private func actingUser(_ request: Request) async throws -> SignedInRequest {
        let signedIn = try await guardian.signedIn(request)
        guard signedIn.session.user.role.mayAct else { throw ConsoleFailure.forbidden }
        return signedIn
    }

    private func recipientForm(_ signedIn: SignedInRequest, form: FormFields, errors: [FieldError]) -> Response {
        let view = NewRecipientView(
            code: form["code"] ?? "", name: form["name"] ?? "", baseURL: form["base_url"] ?? "", country: form["country"] ?? "",
            countryAdequate: form["country_adequate"] == "yes",
            kinds: RecipientKind.allCases.map { FilterOption(value: $0.rawValue, label: $0.rawValue, count: 0, selected: form["kind"] == $0.rawValue) },
            modes: DeliveryMode.allCases.map { FilterOption(value: $0.rawValue, label: $0.rawValue, count: 0, selected: form["delivery_mode"] == $0.rawValue) },
            contact: form["contact"] ?? "",
            languages: TaskLanguage.allCases.map { FilterOption(value: $0.rawValue, label: $0.rawValue, count: 0, selected: form["language"] == $0.rawValue) },
            categories: DataCategory.allCases.map { Choice(value: $0.rawValue, checked: form["category_\($0.rawValue)"] == "yes") },
            errors: errors.map { "\($0.field): \($0.message)" })
        return renderer.page("new-recipient", title: "new_recipient_title", chrome: signedIn.chrome, page: view, status: errors.isEmpty ? .ok : .badRequest)
    }

    private func purposeForm(_ signedIn: SignedInRequest, form: FormFields, errors: [FieldError]) -> Response {
        let view = NewPurposeView(
            code: form["code"] ?? "", title: form["title"] ?? "", description: form["description"] ?? "", retentionDays: form["retention_days"] ?? "",
            requiresConsent: form["requires_consent"] == "yes",
            bases: LegalBasis.allCases.map { FilterOption(value: $0.rawValue, label: $0.rawValue, count: 0, selected: form["legal_basis"] == $0.rawValue) },
            kinds: RecipientKind.allCases.map { Choice(value: $0.rawValue, checked: form["kind_\($0.rawValue)"] == "yes") },
            categories: DataCategory.allCases.map { Choice(value: $0.rawValue, checked: form["category_\($0.rawValue)"] == "yes") },
            errors: errors.map { "\($0.field): \($0.message)" })
        return renderer.page("new-purpose", title: "new_purpose_title", chrome: signedIn.chrome, page: view, status: errors.isEmpty ? .ok : .badRequest)
    }
}

/// The new-recipient form, refilled after a refusal.
struct NewRecipientView {
    let code: String
    let name: String
    let baseURL: String
    let country: String
    let countryAdequate: Bool
    let kinds: [FilterOption]
    let modes: [FilterOption]
    let contact: String
    let languages: [FilterOption]
    let categories: [Choice]
    let errors: [String]
}

/// A registered recipient: its signing secret, shown this once.
struct CreatedRecipientView {
    let code: String
    let signingSecret: String
}

/// The new-purpose form, refilled after a refusal.
struct NewPurposeView {
    let code: String
    let title: String
    let description: String
    let retentionDays: String
    let requiresConsent: Bool
    let bases: [FilterOption]
    let kinds: [Choice]
    let categories: [Choice]
    let errors: [String]
}
