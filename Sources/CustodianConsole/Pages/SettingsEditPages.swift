import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// The edit forms of one recipient and one purpose: every field the API's PATCH changes, validated by the same Core
/// rules, saved through the same repositories (and audit rows).
struct SettingsEditPages: ConsolePageGroup {
    let shared: ConsolePages

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("settings/recipients/:id") { request, context in
            let signedIn = try await guardian.signedIn(request)
            return try await recipientForm(signedIn, id: try uuid(context.parameters.require("id")), errors: [])
        }
        console.post("settings/recipients/:id") { request, context in
            let (signedIn, form) = try await guardian.action(request)
            let id = try uuid(context.parameters.require("id"))
            do {
                let changes = try RecipientChanges(
                    name: form["name"] ?? "", baseURL: form.trimmed("base_url"), apiToken: form.trimmed("api_token"), country: form["country"] ?? "",
                    countryAdequate: form["country_adequate"] == "yes", dataCategories: Self.categories(form), active: nil,
                    policy: configuration.outboundPolicy, contact: form.trimmed("contact"),
                    language: form["language"].flatMap(TaskLanguage.init(rawValue:)))
                guard try await RecipientRepository(database: database).update(id: id, changes: changes, actor: signedIn.actor) != nil else {
                    throw ConsoleFailure.notFound
                }
            } catch let failure as ValidationFailure {
                return try await recipientForm(signedIn, id: id, errors: failure.errors)
            }
            return SettingsPages.backToSettings
        }
        console.get("settings/purposes/:code") { request, context in
            let signedIn = try await guardian.signedIn(request)
            return try await purposeForm(signedIn, code: context.parameters.require("code"), errors: [])
        }
        console.post("settings/purposes/:code") { request, context in
            let (signedIn, form) = try await guardian.action(request)
            let code = try context.parameters.require("code")
            do {
                guard let days = form.trimmed("retention_days").flatMap(Int.init) else {
                    throw ValidationFailure([FieldError(field: "retention_days", message: "must be a whole number of days")])
                }
                let changes = try PurposeChanges(
                    title: form["title"] ?? "", description: form["description"] ?? "", retentionDays: days,
                    recipientKinds: RecipientKind.allCases.filter { form["kind_\($0.rawValue)"] == "yes" }, dataCategories: Self.categories(form),
                    retired: nil)
                guard try await PurposeRepository(database: database).update(code: code, changes: changes, actor: signedIn.actor) != nil else {
                    throw ConsoleFailure.notFound
                }
            } catch let failure as ValidationFailure {
                return try await purposeForm(signedIn, code: code, errors: failure.errors)
            }
            return SettingsPages.backToSettings
        }
    }

    /// The data categories ticked on a form (`category_<code>=yes`).
    static func categories(_ form: FormFields) -> [DataCategory] {
        DataCategory.allCases.filter { form["category_\($0.rawValue)"] == "yes" }
    }

    private func recipientForm(_ signedIn: SignedInRequest, id: UUID, errors: [FieldError]) async throws -> Response {
        guard let recipient = try await RecipientRepository(database: database).find(id: id) else { throw ConsoleFailure.notFound }
        let view = RecipientFormView(
            id: recipient.id.lowercasedString, code: recipient.code, name: recipient.name, kind: recipient.kind.rawValue,
            baseURL: recipient.baseURL ?? "", manual: recipient.deliveryMode == .manual, contact: recipient.contact ?? "",
            languages: TaskLanguage.allCases.map { FilterOption(value: $0.rawValue, label: $0.rawValue, count: 0, selected: recipient.language == $0) },
            hasAPIToken: recipient.hasAPIToken, country: recipient.country, countryAdequate: recipient.countryAdequate,
            categories: DataCategory.allCases.map { Choice(value: $0.rawValue, checked: recipient.dataCategories.contains($0)) },
            errors: errors.map { "\($0.field): \($0.message)" })
        return renderer.page("recipient", title: "recipient_title", chrome: signedIn.chrome, page: view, status: errors.isEmpty ? .ok : .badRequest)
    }

    private func purposeForm(_ signedIn: SignedInRequest, code: String, errors: [FieldError]) async throws -> Response {
        guard let purpose = try await PurposeRepository(database: database).find(code: code) else { throw ConsoleFailure.notFound }
        let view = PurposeFormView(
            code: purpose.code, title: purpose.title, description: purpose.description, basis: purpose.legalBasis.rawValue,
            retentionDays: purpose.retentionDays,
            kinds: RecipientKind.allCases.map { Choice(value: $0.rawValue, checked: purpose.recipientKinds.contains($0)) },
            categories: DataCategory.allCases.map { Choice(value: $0.rawValue, checked: purpose.dataCategories.contains($0)) },
            errors: errors.map { "\($0.field): \($0.message)" })
        return renderer.page("purpose", title: "purpose_title", chrome: signedIn.chrome, page: view, status: errors.isEmpty ? .ok : .badRequest)
    }
}

/// A checkbox: its value and whether it is ticked.
struct Choice {
    let value: String
    let checked: Bool
}

/// A recipient's edit form.
struct RecipientFormView {
    let id: String
    let code: String
    let name: String
    let kind: String
    let baseURL: String
    let manual: Bool
    let contact: String
    let languages: [FilterOption]
    let hasAPIToken: Bool
    let country: String
    let countryAdequate: Bool
    let categories: [Choice]
    let errors: [String]
}

/// A purpose's edit form.
struct PurposeFormView {
    let code: String
    let title: String
    let description: String
    let basis: String
    let retentionDays: Int
    let kinds: [Choice]
    let categories: [Choice]
    let errors: [String]
}
