import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func createOrder(_ input: Operations.CreateOrder.Input) async throws -> Operations.CreateOrder.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        guard let subjectID = UUID(uuidString: body.subjectId) else {
            throw Problem.validation([FieldError(field: "subject_id", message: "must be a UUID")])
        }
        let delivery = body.delivery
        let order = try NewOrder(
            externalRef: body.externalRef,
            items: body.items.map { OrderItem(sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor) },
            totalMinor: body.totalMinor, currency: body.currency,
            delivery: DeliveryBlock(
                recipientName: delivery.recipientName, phone: delivery.phone, addressLines: delivery.addressLines,
                city: delivery.city, postalCode: delivery.postalCode, country: delivery.country))
        let record = try await OrderRepository(database: database).create(order, subjectID: subjectID, actor: RequestScope.actor)
        return .created(.init(headers: .init(location: "/v1/orders/\(record.id.lowercasedString)"), body: .json(try .init(record))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        let id = try uuid(input.path.orderId, parameter: "order_id")
        guard let record = try await OrderRepository(database: database).read(id: id, actor: RequestScope.actor) else {
            throw Problem.notFound("order")
        }
        return .ok(.init(body: .json(try .init(record))))
    }

    func updateOrder(_ input: Operations.UpdateOrder.Input) async throws -> Operations.UpdateOrder.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let id = try uuid(input.path.orderId, parameter: "order_id")
        let record = try await OrderRepository(database: database).changeStatus(id: id, to: body.status.mapped(), actor: RequestScope.actor)
        return .ok(.init(body: .json(try .init(record))))
    }

    func listSubjectOrders(_ input: Operations.ListSubjectOrders.Input) async throws -> Operations.ListSubjectOrders.Output {
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        let limit = try pageSize(input.query.limit)
        let after = try cursorKey(input.query.cursor) { UUID(uuidString: $0) }
        guard let orders = try await OrderRepository(database: database).list(subjectID: subjectID, afterID: after, limit: limit, actor: RequestScope.actor) else {
            throw Problem.notFound("subject")
        }
        let next = nextCursor(orders, limit: limit) { $0.id.lowercasedString }
        return .ok(.init(body: .json(.init(items: try orders.map(Components.Schemas.Order.init), nextCursor: next))))
    }
}

extension Components.Schemas.Order {
    init(_ record: OrderRecord) throws {
        self.init(
            id: record.id.lowercasedString, subjectId: record.subjectID.lowercasedString, externalRef: record.externalRef,
            status: try record.status.mapped(),
            items: record.items.map { .init(sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor) },
            totalMinor: record.totalMinor, currency: record.currency,
            delivery: .init(
                recipientName: record.deliveryRecipientName, phone: record.deliveryPhone, addressLines: record.deliveryAddressLines,
                city: record.deliveryCity, postalCode: record.deliveryPostalCode, country: record.deliveryCountry),
            placedAt: record.placedAt, statusChangedAt: record.statusChangedAt)
    }
}

extension Problem {
    /// The problem a refused order write answers with.
    init(_ failure: OrderFailure) {
        switch failure {
        case .subjectNotFound:
            self = .validation([FieldError(field: "subject_id", message: "is not a known subject")])
        case .subjectNotActive(let status):
            self = .conflict(.subjectNotActive(status), "The subject is \(status.rawValue): no new orders are accepted.")
        case .orderNotFound:
            self = .notFound("order")
        case .invalidTransition(let from, let to):
            self = .conflict(
                .invalidTransition,
                "An order that is \(from.rawValue) cannot become \(to.rawValue); allowed: \(from.allowedNext.map(\.rawValue).sorted().joined(separator: ", ")).")
        }
    }
}
