import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// The DPO's tasks for recipients without an API: the list by status (open by default), and each task with the text to send, the
/// identities the recipient holds (the read is audited) and the form that closes it with evidence.
struct TaskPages: ConsolePageGroup {
    let shared: ConsolePages

    /// The most tasks the list shows.
    static let pageSize = 200

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("tasks") { request, _ in try await list(request) }
        console.get("tasks/:id") { request, context in
            let signedIn = try await guardian.signedIn(request)
            return try await taskPage(signedIn, id: try uuid(context.parameters.require("id")), form: nil, errors: [])
        }
        console.post("tasks/:id/close") { request, context in try await close(request, id: try uuid(context.parameters.require("id"))) }
    }

    private func list(_ request: Request) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        let status = request.uri.queryParameters.get("status").flatMap(ManualTaskRecord.Status.init(rawValue:)) ?? .open
        let tasks = try await ManualTaskRepository(database: database).list(status: status, afterID: nil, limit: Self.pageSize)
        let format = format(signedIn)
        let view = TaskListView(
            statuses: ManualTaskRecord.Status.allCases.map {
                FilterOption(value: $0.rawValue, label: format.text("task_status_" + $0.rawValue), count: 0, selected: $0 == status)
            },
            truncated: tasks.count == Self.pageSize,
            rows: tasks.map { task in
                TaskListView.Row(
                    id: task.id.lowercasedString, created: format.time(task.createdAt), kind: format.text("task_kind_" + task.kind.rawValue),
                    recipient: task.recipientName, subjectID: task.subjectID.lowercasedString,
                    closed: task.closure.map { "\(format.time($0.performedAt)) · \($0.reference)" } ?? task.cancelReason ?? "")
            })
        return renderer.page("tasks", title: "tasks_title", chrome: signedIn.chrome, page: view)
    }

    private func taskPage(_ signedIn: SignedInRequest, id: UUID, form: FormFields?, errors: [FieldError]) async throws -> Response {
        guard let detail = try await ManualTaskRepository(database: database).read(id: id, actor: signedIn.actor) else { throw ConsoleFailure.notFound }
        let format = format(signedIn)
        let task = detail.task
        let view = TaskView(
            id: task.id.lowercasedString, kind: format.text("task_kind_" + task.kind.rawValue),
            status: format.text("task_status_" + task.status.rawValue), open: task.status == .open,
            recipient: task.recipientName, recipientCode: task.recipientCode, contact: detail.contact ?? "",
            subjectID: task.subjectID.lowercasedString, created: format.time(task.createdAt),
            title: detail.message?.title, text: detail.message?.body,
            identities: detail.identities.map { "\($0.identityType): \($0.identityValue)" },
            evidence: task.closure.map {
                TaskView.Evidence(
                    performedBy: $0.performedBy, performedAt: format.time($0.performedAt), method: format.text("method_" + $0.method.rawValue),
                    reference: $0.reference, note: $0.note ?? "")
            },
            cancelReason: task.cancelReason,
            performedBy: form?["performed_by"] ?? signedIn.session.user.email,
            performedAt: form?["performed_at"] ?? Self.localTime(Date(), in: configuration.timeZone),
            methods: TaskMethod.allCases.map {
                FilterOption(value: $0.rawValue, label: format.text("method_" + $0.rawValue), count: 0, selected: $0.rawValue == (form?["method"] ?? "email"))
            },
            reference: form?["reference"] ?? "", note: form?["note"] ?? "",
            errors: errors.map { "\($0.field): \($0.message)" })
        return renderer.page("task", title: "task_title", chrome: signedIn.chrome, page: view, status: errors.isEmpty ? .ok : .badRequest)
    }

    private func close(_ request: Request, id: UUID) async throws -> Response {
        let (signedIn, form) = try await guardian.action(request)
        let zone = configuration.timeZone
        let now = Date()
        do {
            guard let method = form["method"].flatMap(TaskMethod.init(rawValue:)) else {
                throw ValidationFailure([FieldError(field: "method", message: "choose how the message was sent")])
            }
            guard let performedAt = form["performed_at"].flatMap({ Self.parseLocalTime($0, in: zone) }) else {
                throw ValidationFailure([FieldError(field: "performed_at", message: "give the day and time it was sent")])
            }
            let (performedBy, reference, note) = (form["performed_by"] ?? "", form["reference"] ?? "", form.trimmed("note"))
            guard try await ManualTaskRepository(database: database).close(id: id, actor: signedIn.actor, validate: { createdAt in
                try ManualTaskEvidence(
                    performedBy: performedBy, performedAt: performedAt, method: method, reference: reference, note: note,
                    taskCreatedAt: createdAt, now: now)
            }) != nil else { throw ConsoleFailure.notFound }
        } catch let failure as ValidationFailure {
            return try await taskPage(signedIn, id: id, form: form, errors: failure.errors)
        } catch ManualTaskFailure.notOpen {
            throw ConsoleFailure.conflict(messageKey: "error_task_not_open")
        } catch ManualTaskFailure.subjectRestricted {
            throw ConsoleFailure.conflict(messageKey: "error_task_subject_restricted")
        } catch ManualTaskFailure.refused {
            throw ConsoleFailure.conflict(messageKey: "error_task_refused")
        }
        return Response(status: .seeOther, headers: [.location: "/console/tasks/\(id.lowercasedString)"])
    }

    /// A moment as a `datetime-local` input shows it, in the controller's zone.
    static func localTime(_ date: Date, in zone: TimeZone) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: zone, calendar: Calendar(identifier: .gregorian)))
    }

    /// A `datetime-local` value (`2026-12-05T14:30`, seconds optional) read in the controller's zone.
    static func parseLocalTime(_ text: String, in zone: TimeZone) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = CalendarDate(iso: String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":").map { Int($0) }
        guard (2...3).contains(clock.count), let hour = clock[0], let minute = clock[1], (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: (clock.count == 3 ? clock[2] : 0) ?? 0))
    }
}

/// The task list with its status filter.
struct TaskListView {
    struct Row {
        let id: String
        let created: String
        let kind: String
        let recipient: String
        let subjectID: String
        /// When and with which reference it was closed, or why it was cancelled.
        let closed: String
    }

    let statuses: [FilterOption]
    let truncated: Bool
    let rows: [Row]
}

/// One task: what to send, to whom, and the closing form or the evidence it was closed with.
struct TaskView {
    struct Evidence {
        let performedBy: String
        let performedAt: String
        let method: String
        let reference: String
        let note: String
    }

    let id: String
    let kind: String
    let status: String
    let open: Bool
    let recipient: String
    let recipientCode: String
    let contact: String
    let subjectID: String
    let created: String
    let title: String?
    let text: String?
    let identities: [String]
    let evidence: Evidence?
    let cancelReason: String?
    let performedBy: String
    let performedAt: String
    let methods: [FilterOption]
    let reference: String
    let note: String
    let errors: [String]
}
