import CustodianCore
import CustodianOpenAPI
import CustodianStore

extension APIHandler {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let limit = try pageSize(input.query.limit)
        let after = try cursorKey(input.query.cursor) { $0.count <= 18 ? Int64($0) : nil }
        let subjectID = try uuid(input.query.subjectId, parameter: "subject_id")
        let events = try await audit.events(subjectID: subjectID, afterID: after, limit: limit)
        let next = nextCursor(events, limit: limit) { String($0.id) }
        return .ok(.init(body: .json(.init(items: try events.map(Components.Schemas.AuditEvent.init), nextCursor: next))))
    }
}

extension Components.Schemas.AuditEvent {
    init(_ event: AuditEvent) throws {
        self.init(
            id: event.id, occurredAt: event.occurredAt, actorKind: try event.actorKind.mapped(), apiKeyId: event.apiKeyID?.lowercasedString,
            userId: event.userID?.lowercasedString, action: event.action, subjectId: event.subjectID?.lowercasedString, requestId: event.requestID)
    }
}
