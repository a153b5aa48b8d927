import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func listDestructionRecords(_ input: Operations.ListDestructionRecords.Input) async throws -> Operations.ListDestructionRecords.Output {
        let query = input.query
        let limit = try pageSize(query.limit)
        let from = try query.from.map { try Self.calendarDate($0, field: "from") }
        let to = try query.to.map { try Self.calendarDate($0, field: "to") }
        if let from, let to, from > to { throw Problem.validation([FieldError(field: "to", message: "must not be before from")]) }
        let after = try cursorKey(query.cursor) { UUID(uuidString: $0) }
        let records = try await DestructionActRepository(database: database).list(from: from, to: to, afterID: after, limit: limit)
        let next = nextCursor(records, limit: limit) { $0.id.lowercasedString }
        return .ok(.init(body: .json(.init(items: try records.map { try .init($0) }, nextCursor: next))))
    }

    func getDestructionRecord(_ input: Operations.GetDestructionRecord.Input) async throws -> Operations.GetDestructionRecord.Output {
        let id = try uuid(input.path.recordId, parameter: "record_id")
        guard let found = try await DestructionActRepository(database: database).read(id: id) else { throw Problem.notFound("destruction record") }
        var body = try Components.Schemas.DestructionRecord(found.record)
        body.logExtract = try found.logExtract.map(Components.Schemas.AuditEvent.init)
        return .ok(.init(body: .json(body)))
    }
}

extension Components.Schemas.DestructionRecord {
    init(_ record: DestructionRecord) throws {
        self.init(
            id: record.id.lowercasedString, subjectId: record.subjectID.lowercasedString, requestId: record.requestID?.lowercasedString,
            act: record.act.map(Components.Schemas.DestructionActDetails.init), grounds: try record.grounds.mapped(),
            regime: try record.regime.mapped(), dataCategories: record.dataCategories, tables: record.tables, recipients: record.recipients,
            ordersDepersonalised: record.ordersDepersonalised, consentsWithdrawn: record.consentsWithdrawn, jobsCancelled: record.jobsCancelled,
            apiKeyId: record.apiKeyID?.lowercasedString, userId: record.userID?.lowercasedString, destroyedAt: record.destroyedAt)
    }
}

extension Components.Schemas.DestructionActDetails {
    init(_ act: DestructionActRecord) {
        var operatorDetails: OperatorPayload?
        if let name = act.operatorName, let address = act.operatorAddress { operatorDetails = .init(name: name, address: address) }
        self.init(
            _operator: operatorDetails, processor: act.processor, informationSystem: act.informationSystem, method: act.method,
            reason: act.reason,
            performedBy: .init(
                kind: .init(rawValue: act.performedByKind) ?? .responsiblePerson, name: act.performedByName, position: act.performedByPosition,
                rule: act.rule))
    }
}
