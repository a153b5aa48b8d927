import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// The configuration the API edits, shown and (for the dpo role) edited here: recipients switched on and off,
/// purposes retired and brought back, policy versions added, production-calendar exceptions set and removed. Every
/// change goes through the same repository, and so the same audit row, as the API's.
struct SettingsPages: ConsolePageGroup {
    let shared: ConsolePages

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("settings") { request, _ in
            let signedIn = try await guardian.signedIn(request)
            return try await page(signedIn, errors: [])
        }
        console.post("settings/recipients/:id/active") { request, context in
            let (signedIn, form) = try await guardian.action(request)
            let changes = try RecipientChanges(
                name: nil, baseURL: nil, apiToken: nil, country: nil, countryAdequate: nil, dataCategories: nil, active: form["active"] == "yes",
                policy: OutboundAddressPolicy())
            guard try await RecipientRepository(database: database).update(
                id: try uuid(context.parameters.require("id")), changes: changes, actor: signedIn.actor) != nil
            else { throw ConsoleFailure.notFound }
            return Self.backToSettings
        }
        console.post("settings/purposes/:code/retired") { request, context in
            let (signedIn, form) = try await guardian.action(request)
            let changes = try PurposeChanges(
                title: nil, description: nil, retentionDays: nil, recipientKinds: nil, dataCategories: nil, retired: form["retired"] == "yes")
            guard try await PurposeRepository(database: database).update(
                code: context.parameters.require("code"), changes: changes, actor: signedIn.actor) != nil
            else { throw ConsoleFailure.notFound }
            return Self.backToSettings
        }
        console.post("settings/policy-versions") { request, _ in try await addPolicyVersion(request) }
        console.post("settings/consent-texts") { request, _ in try await addConsentText(request) }
        console.post("settings/calendar") { request, _ in try await setCalendarDay(request) }
        console.post("settings/calendar/:day/remove") { request, context in
            let (signedIn, _) = try await guardian.action(request)
            guard let day = CalendarDate(iso: try context.parameters.require("day")) else { throw ConsoleFailure.notFound }
            guard try await CalendarRepository(database: database).remove(day: day, actor: signedIn.actor) else { throw ConsoleFailure.notFound }
            return Self.backToSettings
        }
    }

    static var backToSettings: Response { Response(status: .seeOther, headers: [.location: "/console/settings"]) }

    /// The start of the form's `effective_on` day in the controller's time zone; nil when it is no date.
    private func effectiveAt(_ form: FormFields) -> Date? {
        guard let day = form.trimmed("effective_on").flatMap(CalendarDate.init(iso:)) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = configuration.timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
    }

    static let effectiveOnRefused = FieldError(field: "effective_on", message: "must be a date as YYYY-MM-DD")

    private func addPolicyVersion(_ request: Request) async throws -> Response {
        let (signedIn, form) = try await guardian.action(request)
        guard let effectiveAt = effectiveAt(form) else { return try await page(signedIn, errors: [Self.effectiveOnRefused]) }
        do {
            let version = try PublishedDocument(
                label: form["label"] ?? "", url: form["url"] ?? "", textSHA256: form.trimmed("sha256") ?? "", effectiveAt: effectiveAt)
            _ = try await PolicyVersionRepository(database: database).create(
                label: version.label, url: version.url, textSHA256: version.textSHA256, effectiveAt: version.effectiveAt, actor: signedIn.actor)
        } catch let failure as ValidationFailure {
            return try await page(signedIn, errors: failure.errors)
        } catch StoreError.duplicate(let field) {
            return try await page(signedIn, errors: [FieldError(field: field, message: "exists already")])
        }
        return Self.backToSettings
    }

    /// Registers a consent text; its purposes are the ticked `purpose_<code>` boxes.
    private func addConsentText(_ request: Request) async throws -> Response {
        let (signedIn, form) = try await guardian.action(request)
        guard let effectiveAt = effectiveAt(form) else { return try await page(signedIn, errors: [Self.effectiveOnRefused]) }
        let purposes = try await PurposeRepository(database: database).all().map(\.code).filter { form["purpose_" + $0] != nil }
        do {
            let text = try NewConsentText(
                label: form["label"] ?? "", url: form["url"] ?? "", textSHA256: form.trimmed("sha256") ?? "", effectiveAt: effectiveAt,
                purposes: purposes)
            _ = try await ConsentTextRepository(database: database).create(text, actor: signedIn.actor)
        } catch let failure as ValidationFailure {
            return try await page(signedIn, errors: failure.errors)
        } catch StoreError.duplicate(let field) {
            return try await page(signedIn, errors: [FieldError(field: field, message: "exists already")])
        }
        return Self.backToSettings
    }

    private func setCalendarDay(_ request: Request) async throws -> Response {
        let (signedIn, form) = try await guardian.action(request)
        guard let day = form.trimmed("day").flatMap(CalendarDate.init(iso:)),
              let kind = form["kind"].flatMap(CalendarDayKind.init(rawValue:))
        else { return try await page(signedIn, errors: [FieldError(field: "day", message: "must be a date as YYYY-MM-DD, with a kind")]) }
        let entry: CalendarDayEntry
        do {
            entry = try CalendarDayEntry(day: day, kind: kind, note: form["note"] ?? "")
        } catch {
            return try await page(signedIn, errors: error.errors)
        }
        _ = try await CalendarRepository(database: database).set(day: entry.day, kind: entry.kind, note: entry.note, actor: signedIn.actor)
        return Self.backToSettings
    }

    /// The page, with `errors` of a refused form (400) or none.
    private func page(_ signedIn: SignedInRequest, errors: [FieldError]) async throws -> Response {
        let format = format(signedIn)
        let year = today.year
        let purposes = try await PurposeRepository(database: database).all()
        let view = SettingsView(
            errors: errors.map { "\($0.field): \($0.message)" },
            recipients: try await RecipientRepository(database: database).all().map { recipient in
                SettingsView.Recipient(
                    id: recipient.id.lowercasedString, code: recipient.code, name: recipient.name, kind: recipient.kind.rawValue,
                    country: recipient.country, categories: recipient.dataCategories.map(\.rawValue).joined(separator: ", "), active: recipient.active)
            },
            purposes: purposes.map { purpose in
                SettingsView.Purpose(
                    code: purpose.code, title: purpose.title, basis: purpose.legalBasis.rawValue, retentionDays: purpose.retentionDays,
                    recipientKinds: purpose.recipientKinds.map(\.rawValue).joined(separator: ", "), retired: purpose.retiredAt != nil)
            },
            policies: try await PolicyVersionRepository(database: database).all().map { policy in
                SettingsView.Policy(label: policy.label, url: policy.url, sha256: policy.textSHA256, effective: format.time(policy.effectiveAt))
            },
            consentTexts: try await ConsentTextRepository(database: database).all().map { text in
                SettingsView.ConsentText(
                    label: text.label, url: text.url, sha256: text.textSHA256, effective: format.time(text.effectiveAt),
                    purposes: text.purposes.joined(separator: ", "))
            },
            consentPurposes: purposes.filter { $0.requiresConsent && $0.retiredAt == nil }.map { purpose in
                FilterOption(value: purpose.code, label: purpose.title, count: 0, selected: false)
            },
            year: year,
            days: try await CalendarRepository(database: database).days(year: year).map { day in
                SettingsView.Day(day: day.day.description, kind: format.text("calendar_" + day.kind.rawValue), note: day.note)
            },
            kinds: CalendarDayKind.allCases.map { FilterOption(value: $0.rawValue, label: format.text("calendar_" + $0.rawValue), count: 0, selected: false) })
        return renderer.page("settings", title: "settings_title", chrome: signedIn.chrome, page: view, status: errors.isEmpty ? .ok : .badRequest)
    }
}

/// The configuration page.
struct SettingsView {
    struct Recipient {
        let id: String
        let code: String
        let name: String
        let kind: String
        let country: String
        let categories: String
        let active: Bool
    }

    struct Purpose {
        let code: String
        let title: String
        let basis: String
        let retentionDays: Int
        let recipientKinds: String
        let retired: Bool
    }

    struct Policy {
        let label: String
        let url: String
        let sha256: String
        let effective: String
    }

    /// A registered consent text and the purposes it covers.
    struct ConsentText {
        let label: String
        let url: String
        let sha256: String
        let effective: String
        let purposes: String
    }

    struct Day {
        let day: String
        let kind: String
        let note: String
    }

    let errors: [String]
    let recipients: [Recipient]
    let purposes: [Purpose]
    let policies: [Policy]
    let consentTexts: [ConsentText]
    /// The consent-based purposes in use, which a new consent text may cover.
    let consentPurposes: [FilterOption]
    let year: Int
    let days: [Day]
    let kinds: [FilterOption]
}
