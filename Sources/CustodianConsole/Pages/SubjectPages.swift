import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// Finding a subject (a POST: no personal data in URLs) and the subject's page: the profile masked until an audited
/// reveal, consents per purpose with their history, orders, transfers, requests and the audit trail.
struct SubjectPages: ConsolePageGroup {
    let shared: ConsolePages

    static let revealAction = "console.subject.reveal"
    static let searchAction = "console.subject.search"

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("subjects") { request, _ in
            let signedIn = try await guardian.signedIn(request)
            return renderer.page("subjects", title: "subjects_title", chrome: signedIn.chrome, page: SearchView(searched: false, message: nil, results: []))
        }
        console.post("subjects/search") { request, _ in try await search(request) }
        console.get("subjects/:id") { request, context in
            let signedIn = try await guardian.signedIn(request)
            return try await subjectPage(signedIn, id: try uuid(context.parameters.require("id")), revealed: false)
        }
        console.post("subjects/:id/reveal") { request, context in
            let (signedIn, _) = try await guardian.form(request)
            return try await subjectPage(signedIn, id: try uuid(context.parameters.require("id")), revealed: true)
        }
    }

    private func search(_ request: Request) async throws -> Response {
        let (signedIn, form) = try await guardian.form(request)
        let format = format(signedIn)
        guard let text = form.trimmed("query"), text.count <= 320 else {
            return renderer.page("subjects", title: "subjects_title", chrome: signedIn.chrome,
                                 page: SearchView(searched: false, message: format.text("search_empty"), results: []), status: .badRequest)
        }
        let lookup: SubjectLookup
        if text.contains("@") {
            guard case .success(let email) = EmailAddress.normalise(text) else {
                return renderer.page("subjects", title: "subjects_title", chrome: signedIn.chrome,
                                     page: SearchView(searched: true, message: format.text("search_bad_email"), results: []), status: .badRequest)
            }
            lookup = SubjectLookup(email: email)
        } else if text.first == "+", case .success(let phone) = PhoneNumber.normalise(text) {
            lookup = SubjectLookup(phone: phone)
        } else {
            lookup = SubjectLookup(externalRef: text)
        }
        // Every search is audited, a fruitless one too (the subject repository audits each subject found).
        try await ConsoleActivity(database: database).audit(action: Self.searchAction, subjectID: nil, actor: signedIn.actor)
        let found = try await SubjectRepository(database: database).find(lookup, afterID: nil, limit: 50, actor: signedIn.actor)
        let results = found.map { subject in
            SearchResult(
                id: subject.id.lowercasedString, name: ConsoleFormat.maskName(subject.fullName), email: ConsoleFormat.maskEmail(subject.email),
                phone: ConsoleFormat.maskPhone(subject.phone), status: format.text("subject_" + subject.status.rawValue))
        }
        return renderer.page("subjects", title: "subjects_title", chrome: signedIn.chrome, page: SearchView(searched: true, message: nil, results: results))
    }

    private func subjectPage(_ signedIn: SignedInRequest, id: UUID, revealed: Bool) async throws -> Response {
        let actor = signedIn.actor
        guard let subject = try await SubjectRepository(database: database).read(id: id, actor: actor) else { throw ConsoleFailure.notFound }
        if revealed { try await ConsoleActivity(database: database).audit(action: Self.revealAction, subjectID: id, actor: actor) }
        let consents = try await ConsentRepository(database: database).overview(subjectID: id, actor: actor)
        let orders = try await OrderRepository(database: database).list(subjectID: id, afterID: nil, limit: 100, actor: actor) ?? []
        let transfers = try await TransferRepository(database: database).transfers(subjectID: id, afterID: nil, limit: 200, actor: actor) ?? []
        let requests = try await ConsoleInbox(database: database).requests(subjectID: id, limit: 50)
        let audit = try await ConsoleActivity(database: database).auditTrail(subjectID: id, limit: 100)
        let format = format(signedIn)
        let view = SubjectView(
            subject: subject, revealed: revealed, consents: consents ?? ([], []), orders: orders, transfers: transfers, requests: requests,
            audit: audit, format: format)
        return renderer.page("subject", title: "subject_title", chrome: signedIn.chrome, page: view)
    }
}

/// The search page, and its results when a search was made.
struct SearchView {
    let searched: Bool
    let message: String?
    let results: [SearchResult]
    let noResults: Bool

    init(searched: Bool, message: String?, results: [SearchResult]) {
        self.searched = searched
        self.message = message
        self.results = results
        noResults = searched && results.isEmpty && message == nil
    }
}

/// A subject found, masked.
struct SearchResult {
    let id: String
    let name: String
    let email: String
    let phone: String
    let status: String
}
