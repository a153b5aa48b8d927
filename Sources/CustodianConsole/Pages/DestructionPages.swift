import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// The destruction acts (RKN Order No. 179 of 28 Oct 2022): the list by date, and each act as a printable page with its
/// extract from the event log.
struct DestructionPages: ConsolePageGroup {
    let shared: ConsolePages

    /// The most acts the list shows, newest first; narrow the days to see older ones.
    static let pageSize = 500

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("destruction-records") { request, _ in try await list(request) }
        console.get("destruction-records/:id") { request, context in try await act(request, id: try uuid(context.parameters.require("id"))) }
    }

    private func list(_ request: Request) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        let query = request.uri.queryParameters
        let from = query.get("from").flatMap { CalendarDate(iso: $0) }
        let to = query.get("to").flatMap { CalendarDate(iso: $0) }
        let records = try await DestructionActRepository(database: database).list(
            from: from, to: to, afterID: nil, limit: Self.pageSize, newestFirst: true)
        let format = format(signedIn)
        let view = DestructionListView(
            from: from?.description ?? "", to: to?.description ?? "", truncated: records.count == Self.pageSize,
            rows: records.map { record in
                DestructionListView.Row(
                    id: record.id.lowercasedString, date: format.time(record.destroyedAt), subjectID: record.subjectID.lowercasedString,
                    grounds: format.text("grounds_" + record.grounds.rawValue), categories: record.dataCategories.joined(separator: ", "),
                    performedBy: record.act.map { DestructionActView.performer($0, format: format) } ?? "")
            })
        return renderer.page("destruction-records", title: "destruction_records_title", chrome: signedIn.chrome, page: view)
    }

    private func act(_ request: Request, id: UUID) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        guard let found = try await DestructionActRepository(database: database).read(id: id) else { throw ConsoleFailure.notFound }
        let view = DestructionActView(found, format: format(signedIn))
        return renderer.page("destruction-act", title: "destruction_act_title", chrome: signedIn.chrome, page: view)
    }
}

/// The list of acts between two days.
struct DestructionListView {
    struct Row {
        let id: String
        let date: String
        let subjectID: String
        let grounds: String
        let categories: String
        let performedBy: String
    }

    let from: String
    let to: String
    /// More acts than the list shows match: narrow the days.
    let truncated: Bool
    let rows: [Row]
}

/// One act as the printable page states it.
struct DestructionActView {
    struct LogRow {
        let at: String
        let action: String
        let actor: String
    }

    let id: String
    let date: String
    let operatorName: String
    let operatorAddress: String
    let processor: String?
    let subjectID: String
    let categories: String
    let informationSystem: String
    let method: String
    let reason: String
    let performedBy: String
    let rule: String?
    let recipients: String?
    let requestID: String?
    let log: [LogRow]
    /// A record written before acts existed: only its facts.
    let incomplete: Bool

    init(_ found: DestructionActWithExtract, format: ConsoleFormat) {
        let record = found.record
        id = record.id.lowercasedString
        date = format.time(record.destroyedAt)
        operatorName = record.act?.operatorName ?? "—"
        operatorAddress = record.act?.operatorAddress ?? "—"
        processor = record.act?.processor
        subjectID = record.subjectID.lowercasedString
        categories = record.dataCategories.joined(separator: ", ")
        informationSystem = record.act?.informationSystem ?? "—"
        method = record.act?.method ?? "—"
        reason = record.act?.reason ?? format.text("grounds_" + record.grounds.rawValue)
        performedBy = record.act.map { Self.performer($0, format: format) } ?? "—"
        rule = record.act?.rule
        recipients = record.recipients.isEmpty ? nil : record.recipients.joined(separator: ", ")
        requestID = record.requestID?.lowercasedString
        log = found.logExtract.map { event in
            LogRow(at: format.time(event.occurredAt), action: event.action, actor: format.text("actor_" + event.actorKind.rawValue))
        }
        incomplete = record.act == nil
    }

    /// "name, position (kind)", in the page's language.
    static func performer(_ act: DestructionActRecord, format: ConsoleFormat) -> String {
        let who = [act.performedByName, act.performedByPosition].compactMap { $0 }.joined(separator: ", ")
        return "\(who) (\(format.text("performer_" + act.performedByKind)))"
    }
}
