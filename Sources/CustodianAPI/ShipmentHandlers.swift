import CustodianCore
import CustodianOpenAPI
import CustodianStore

extension APIHandler {
    func createShipment(_ input: Operations.CreateShipment.Input) async throws -> Operations.CreateShipment.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let orderID = try uuid(input.path.orderId, parameter: "order_id")
        do {
            let shipment = try await ShipmentRepository(database: database).create(orderID: orderID, recipientCode: body.courier, actor: RequestScope.actor)
            return .created(.init(
                headers: .init(location: "/v1/orders/\(orderID.lowercasedString)/shipments/\(shipment.id.lowercasedString)"),
                body: .json(.init(shipment))))
        } catch let failure as ShipmentFailure {
            switch failure {
            case .orderNotFound: throw Problem.notFound("order")
            case .recipientNotACourier:
                throw Problem.validation([FieldError(field: "courier", message: "is not an active courier recipient")])
            case .orderNotShippable(let status):
                throw Problem.conflict(.orderNotShippable, "An order that is \(status.rawValue) cannot be handed to a courier.")
            case .subjectNotActive(let status):
                throw Problem.conflict(.subjectNotActive(status), "The subject is \(status.rawValue): no transfers.")
            }
        }
    }

    func listShipments(_ input: Operations.ListShipments.Input) async throws -> Operations.ListShipments.Output {
        let orderID = try uuid(input.path.orderId, parameter: "order_id")
        guard let shipments = try await ShipmentRepository(database: database).forOrder(orderID, actor: RequestScope.actor) else {
            throw Problem.notFound("order")
        }
        return .ok(.init(body: .json(.init(items: shipments.map(Components.Schemas.Shipment.init)))))
    }

    func getShipment(_ input: Operations.GetShipment.Input) async throws -> Operations.GetShipment.Output {
        let orderID = try uuid(input.path.orderId, parameter: "order_id")
        let shipmentID = try uuid(input.path.shipmentId, parameter: "shipment_id")
        // Through the order's list, so the same rules apply (a blocked subject's order answers 409 to the shop).
        guard let shipment = try await ShipmentRepository(database: database).forOrder(orderID, actor: RequestScope.actor)?
            .first(where: { $0.id == shipmentID })
        else { throw Problem.notFound("shipment") }
        return .ok(.init(body: .json(.init(shipment))))
    }

    func listTransfers(_ input: Operations.ListTransfers.Input) async throws -> Operations.ListTransfers.Output {
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        let limit = try pageSize(input.query.limit)
        let after = try cursorKey(input.query.cursor) { $0.count <= 18 ? Int64($0) : nil }
        guard let transfers = try await TransferRepository(database: database).transfers(
            subjectID: subjectID, afterID: after, limit: limit, actor: RequestScope.actor)
        else { throw Problem.notFound("subject") }
        let next = nextCursor(transfers, limit: limit) { String($0.id) }
        return .ok(.init(body: .json(.init(items: try transfers.map { transfer in
            Components.Schemas.Transfer(
                id: transfer.id, recipient: transfer.recipientCode, orderId: transfer.orderID?.lowercasedString,
                shipmentId: transfer.shipmentID?.lowercasedString, dataCategories: try transfer.dataCategories.map { try $0.mapped() },
                purpose: transfer.purpose, legalBasis: try LegalBasis(rawValue: transfer.legalBasis).orThrow().mapped(),
                transferredAt: transfer.transferredAt)
        }, nextCursor: next))))
    }
}

extension Optional {
    /// The value, or a 500 for a stored value outside its domain.
    func orThrow() throws -> Wrapped {
        guard let self else { throw EnumMismatch(value: "nil") }
        return self
    }
}

extension Components.Schemas.Shipment {
    init(_ record: ShipmentRecord) {
        self.init(
            id: record.id.lowercasedString, orderId: record.orderID.lowercasedString, courier: record.recipientCode,
            status: StatusPayload(rawValue: record.status) ?? .failed, trackingReference: record.trackingReference,
            failureReason: record.failureReason, createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}
