import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation
import Hummingbird

/// The inbox of open subject requests, and one request's page with its actions (each through a confirmation step).
struct InboxPages: ConsolePageGroup {
    let shared: ConsolePages

    /// Days left at or under which an open request is due soon (amber).
    static let dueSoonDays = 3

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("inbox") { request, _ in try await inbox(request) }
        console.get("requests/:id") { request, context in try await requestPage(request, id: try uuid(context.parameters.require("id"))) }
        console.post("requests/:id/:command") { request, context in
            try await command(request, id: try uuid(context.parameters.require("id")), command: context.parameters.require("command"))
        }
    }

    private func inbox(_ request: Request) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        let query = request.uri.queryParameters
        let filter = InboxFilter(
            kind: query.get("kind").flatMap(SubjectRequestKind.init(rawValue:)),
            status: query.get("status").flatMap(SubjectRequestStatus.init(rawValue:)),
            regime: query.get("regime").flatMap(RequestRegime.init(rawValue:)))
        let page = try await ConsoleInbox(database: database).page(filter, limit: 200)
        let format = format(signedIn)
        let today = self.today
        let view = InboxView(
            rows: page.requests.map { InboxRow($0, today: today, format: format) },
            kinds: options(SubjectRequestKind.allCases.map(\.rawValue), selected: filter.kind?.rawValue, counts: page.kindCounts, prefix: "kind_", format),
            statuses: options(["received", "in_progress"], selected: filter.status?.rawValue, counts: page.statusCounts, prefix: "status_", format),
            regimes: options(RequestRegime.allCases.map(\.rawValue), selected: filter.regime?.rawValue, counts: page.regimeCounts, prefix: "regime_", format))
        return renderer.page("inbox", title: "inbox_title", chrome: signedIn.chrome, page: view)
    }

    private func options(_ values: [String], selected: String?, counts: [String: Int], prefix: String, _ format: ConsoleFormat) -> [FilterOption] {
        values.map { FilterOption(value: $0, label: format.text(prefix + $0), count: counts[$0] ?? 0, selected: $0 == selected) }
    }

    private func requestPage(_ request: Request, id: UUID) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        guard let snapshot = try await SubjectRequestRepository(database: database).read(id: id, actor: signedIn.actor) else {
            throw ConsoleFailure.notFound
        }
        let users = try await ConsoleUserRepository(database: database).emails(ids: snapshot.history.compactMap(\.userID))
        let view = RequestView(snapshot, users: users, today: today, format: format(signedIn))
        return renderer.page("request", title: "request_title", chrome: signedIn.chrome, page: view)
    }

    /// A command's first POST shows what it will do and asks to confirm; the confirmed POST (`confirmed=yes`) does it.
    private func command(_ request: Request, id: UUID, command name: String) async throws -> Response {
        guard let command = SubjectRequestCommand(rawValue: name) else { throw ConsoleFailure.notFound }
        let (signedIn, form) = try await guardian.action(request)
        let format = format(signedIn)
        guard form["confirmed"] == "yes" else {
            let reasons = DenialReason.allCases.filter { $0 != .noMatch }.map { reason in
                FilterOption(value: reason.rawValue, label: format.text("denial_" + reason.rawValue), count: 0, selected: reason.rawValue == form["reason"])
            }
            let channels = RequestChannel.allCases.filter(\.isRecordedByClients).map { channel in
                FilterOption(value: channel.rawValue, label: format.text("channel_" + channel.rawValue), count: 0, selected: channel.rawValue == form["channel"])
            }
            let view = ConfirmView(
                id: id.lowercasedString, command: command.rawValue, question: format.text("confirm_" + command.rawValue),
                reason: form["reason"] ?? "", explanation: form["explanation"] ?? "", needsReason: command == .extend,
                needsDenial: command == .deny, denialReasons: reasons, needsAnswer: command == .answer,
                answeredOn: form["answered_on"] ?? today.description, channels: channels)
            return renderer.page("confirm", title: "confirm_title", chrome: signedIn.chrome, page: view)
        }
        do {
            switch command {
            case .fulfil:
                _ = try await SubjectRequestWork(database: database, hasher: configuration.identityHasher).fulfil(id: id, actor: signedIn.actor)
            case .lift:
                _ = try await SubjectRequestWork(database: database, hasher: configuration.identityHasher).lift(id: id, actor: signedIn.actor)
            case .cancel:
                _ = try await SubjectRequestRepository(database: database).cancel(id: id, actor: signedIn.actor)
            case .deny:
                guard let reason = form["reason"].flatMap(DenialReason.init(rawValue:)), let explanation = form.trimmed("explanation"),
                      let denial = try? Denial(reason: reason, explanation: explanation)
                else { throw ConsoleFailure.badInput(messageKey: "error_denial_incomplete") }
                _ = try await SubjectRequestRepository(database: database).deny(id: id, denial, actor: signedIn.actor)
            case .extend:
                guard let reason = form.trimmed("reason"), reason.unicodeScalars.count <= 2000 else { throw ConsoleFailure.badInput(messageKey: "error_reason_missing") }
                _ = try await SubjectRequestRepository(database: database).extend(
                    id: id, reason: reason, today: today, actor: signedIn.actor)
            case .answer:
                guard let day = form["answered_on"].flatMap(CalendarDate.init(iso:)), let channel = form["channel"].flatMap(RequestChannel.init(rawValue:)),
                      let answer = try? ClaimAnswer(answeredOn: day, channel: channel, today: today)
                else { throw ConsoleFailure.badInput(messageKey: "error_answer_incomplete") }
                _ = try await SubjectRequestRepository(database: database).answer(id: id, answer, actor: signedIn.actor)
            }
        } catch let refusal as SubjectRequestRefusal {
            switch refusal {
            case .notFound: throw ConsoleFailure.notFound
            case .notAllowed: throw ConsoleFailure.conflict(messageKey: "error_request_state")
            case .subjectErased: throw ConsoleFailure.conflict(messageKey: "error_subject_erased")
            case .notLiftable: throw ConsoleFailure.conflict(messageKey: "error_not_liftable")
            case .extensionRefused: throw ConsoleFailure.conflict(messageKey: "error_extension_refused")
            case .answerInstead, .notAClaim: throw ConsoleFailure.conflict(messageKey: "error_request_state")
            }
        } catch is ValidationFailure {
            throw ConsoleFailure.badInput(messageKey: "error_answer_before_receipt")
        }
        return Response(status: .seeOther, headers: [.location: "/console/requests/\(id.lowercasedString)"])
    }

}

func uuid(_ text: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else { throw ConsoleFailure.notFound }
    return id
}

/// The inbox page.
struct InboxView {
    let rows: [InboxRow]
    let kinds: [FilterOption]
    let statuses: [FilterOption]
    let regimes: [FilterOption]
}

/// A value of a filter or a select, with how many open requests have it.
struct FilterOption {
    let value: String
    let label: String
    let count: Int
    let selected: Bool
}

/// One open request in the inbox: due date, days left and how urgent it is.
struct InboxRow {
    let id: String
    let kind: String
    let status: String
    let regime: String
    let received: String
    let due: String
    /// `overdue` (red), `soon` (amber) or `ok`.
    let urgency: String
    let daysText: String

    init(_ record: SubjectRequestRecord, today: CalendarDate, format: ConsoleFormat) {
        id = record.id.lowercasedString
        kind = format.text("kind_" + record.kind.rawValue)
        status = format.text("status_" + record.status.rawValue)
        regime = format.text("regime_" + record.regime.rawValue)
        received = format.time(record.receivedAt)
        due = record.dueOn.description
        (urgency, daysText) = Self.urgency(of: record, today: today, format: format)
    }

    /// How urgent an open request is on `today` (`overdue`, `soon` within ``InboxPages/dueSoonDays``, `ok`) and its
    /// days left in words; a closed request is `ok` with no words.
    static func urgency(of record: SubjectRequestRecord, today: CalendarDate, format: ConsoleFormat) -> (String, String) {
        guard !record.status.isFinal else { return ("ok", "") }
        let daysLeft = record.dueOn.dayNumber - today.dayNumber
        if daysLeft < 0 { return ("overdue", format.text("days_overdue", -daysLeft)) }
        return (daysLeft <= InboxPages.dueSoonDays ? "soon" : "ok", format.text("days_left", daysLeft))
    }
}

/// A command's confirmation step.
struct ConfirmView {
    let id: String
    let command: String
    let question: String
    let reason: String
    let explanation: String
    let needsReason: Bool
    let needsDenial: Bool
    let denialReasons: [FilterOption]
    let needsAnswer: Bool
    let answeredOn: String
    let channels: [FilterOption]
}

extension UUID {
    var lowercasedString: String { uuidString.lowercased() }
}
