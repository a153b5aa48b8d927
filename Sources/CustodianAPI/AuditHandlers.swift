import CustodianCore
import CustodianOpenAPI
import CustodianStore

extension APIHandler {
    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let limit = try pageSize(input.query.limit)
        let after = try cursorKey(input.query.cursor).map { key in
            guard let id = Int64(key) else { throw Problem.badRequest("The cursor is not one this API returned.") }
            return id
        }
        let subjectID = try uuid(input.query.subjectId, parameter: "subject_id")
        let events = try await audit.events(subjectID: subjectID, afterID: after, limit: limit)
        let next = events.count == limit ? events.last.map { PageCursor.encode(String($0.id)) } : nil
        return .ok(.init(body: .json(.init(items: events.map(Components.Schemas.AuditEvent.init), nextCursor: next))))
    }
}

extension Components.Schemas.AuditEvent {
    init(_ event: AuditEvent) {
        self.init(
            id: event.id, occurredAt: event.occurredAt, apiKeyId: event.apiKeyID?.lowercasedString, action: event.action,
            subjectId: event.subjectID?.lowercasedString, requestId: event.requestID)
    }
}
