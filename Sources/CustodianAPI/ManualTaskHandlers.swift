import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func listManualTasks(_ input: Operations.ListManualTasks.Input) async throws -> Operations.ListManualTasks.Output {
        let limit = try pageSize(input.query.limit)
        let after = try cursorKey(input.query.cursor) { UUID(uuidString: $0) }
        let status = try input.query.status?.mapped(to: ManualTaskRecord.Status.self)
        let tasks = try await ManualTaskRepository(database: database).list(status: status, afterID: after, limit: limit)
        let next = nextCursor(tasks, limit: limit) { $0.id.lowercasedString }
        return .ok(.init(body: .json(.init(items: try tasks.map { try Components.Schemas.ManualTask($0) }, nextCursor: next))))
    }

    func getManualTask(_ input: Operations.GetManualTask.Input) async throws -> Operations.GetManualTask.Output {
        let id = try uuid(input.path.taskId, parameter: "task_id")
        guard let detail = try await ManualTaskRepository(database: database).read(id: id, actor: RequestScope.actor) else {
            throw Problem.notFound("task")
        }
        var body = try Components.Schemas.ManualTask(detail.task)
        body.contact = detail.contact
        body.identities = detail.task.status == .open ? detail.identities.map { .init(_type: $0.identityType, value: $0.identityValue) } : nil
        let language = try detail.language.mapped(to: Components.Schemas.TaskLanguage.self)
        body.text = detail.message.map { .init(language: language, title: $0.title, body: $0.body) }
        return .ok(.init(body: .json(body)))
    }

    func closeManualTask(_ input: Operations.CloseManualTask.Input) async throws -> Operations.CloseManualTask.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let id = try uuid(input.path.taskId, parameter: "task_id")
        let method = try body.method.mapped(to: TaskMethod.self)
        let now = Date()
        do {
            guard let task = try await ManualTaskRepository(database: database).close(id: id, actor: RequestScope.actor, validate: { createdAt in
                try ManualTaskEvidence(
                    performedBy: body.performedBy, performedAt: body.performedAt, method: method, reference: body.reference, note: body.note,
                    taskCreatedAt: createdAt, now: now)
            }) else { throw Problem.notFound("task") }
            return .ok(.init(body: .json(try .init(task))))
        } catch ManualTaskFailure.notOpen(let status) {
            throw Problem.conflict(.taskNotOpen, "The task is \(status.rawValue) already.")
        } catch ManualTaskFailure.refused(let reason) {
            throw Problem.conflict(.disclosureRefused, "This message would disclose data the rules forbid now: \(reason).")
        } catch ManualTaskFailure.subjectRestricted {
            throw Problem.conflict(.subjectRestricted, "The subject is restricted: rectified values or a grant may not be disclosed until its block ends.")
        }
    }
}

extension Components.Schemas.ManualTask {
    init(_ task: ManualTaskRecord) throws {
        self.init(
            id: task.id.lowercasedString, kind: try task.kind.mapped(), status: try task.status.mapped(), recipient: task.recipientCode,
            subjectId: task.subjectID.lowercasedString, servedId: task.servedID.lowercasedString, createdAt: task.createdAt,
            evidence: try task.closure.map {
                .init(performedBy: $0.performedBy, performedAt: $0.performedAt, method: try $0.method.mapped(), reference: $0.reference,
                      note: $0.note, closedAt: $0.closedAt)
            },
            cancelReason: task.cancelReason)
    }
}
