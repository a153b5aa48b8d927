import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// An order as stored. The delivery fields are nil once erasure has depersonalised the order.
public struct OrderRecord: Sendable, Equatable {
    public let id: UUID
    public let subjectID: UUID
    public let externalRef: String
    public let status: OrderStatus
    public let currency: String
    public let totalMinor: Int64
    public let items: [OrderItem]
    public let deliveryRecipientName: String?
    public let deliveryPhone: String?
    public let deliveryAddressLines: [String]?
    public let deliveryCity: String?
    public let deliveryPostalCode: String?
    public let deliveryCountry: String?
    public let placedAt: Date
    public let statusChangedAt: Date
}

/// Why an order write was refused.
public enum OrderFailure: Error, Equatable {
    case subjectNotFound
    case subjectNotActive(SubjectStatus)
    case orderNotFound
    case invalidTransition(from: OrderStatus, to: OrderStatus)
}

/// Stores orders and their items; every write and read appends its audit row in the same transaction.
public struct OrderRepository: Sendable {
    let database: Database

    public enum Action {
        public static let create = "order.create"
        public static let read = "order.read"
        public static let list = "order.list"
        public static let status = "order.status"
    }

    /// An order row aliased `o` and its subject's key (``SubjectKeys/orderJoin``): the delivery block is sealed under it.
    static let columns = """
        o.id, o.subject_id, o.external_ref, o.status, o.currency, o.total_minor, o.delivery_recipient_name, o.delivery_phone,
        o.delivery_address_lines, o.delivery_city, o.delivery_postal_code, o.delivery_country, o.placed_at, o.status_changed_at,
        k.kek_id, k.wrapped
        """

    public init(database: Database) {
        self.database = database
    }

    /// Stores a new order for an active subject; ``StoreError/duplicate(field:)`` when the external_ref is taken.
    public func create(_ order: NewOrder, subjectID: UUID, actor: AuditActor) async throws -> OrderRecord {
        let id = UUID()
        let keys = try database.requireKeys()
        do {
            return try await database.transaction { connection in
                let logger = database.logger
                guard let status = try await SubjectRepository.lockedStatus(of: subjectID, .shared, on: connection, logger: logger) else {
                    throw OrderFailure.subjectNotFound
                }
                guard status == .active else { throw OrderFailure.subjectNotActive(status) }
                let cipher = try await SubjectKeys.obtain(subjectID: subjectID, keys: keys, on: connection, logger: logger)
                let delivery = StoredDelivery(sealing: order.delivery, with: cipher, order: id)
                try await connection.query("""
                    INSERT INTO orders (id, subject_id, external_ref, currency, total_minor, delivery_recipient_name, delivery_phone,
                                        delivery_address_lines, delivery_city, delivery_postal_code, delivery_country)
                    VALUES (\(id), \(subjectID), \(order.externalRef), \(order.currency), \(order.totalMinor),
                            \(delivery.recipientName), \(delivery.phone), \(delivery.addressLines), \(delivery.city),
                            \(delivery.postalCode), \(delivery.country))
                    """, logger: logger)
                try await connection.query("""
                    INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price_minor)
                    SELECT \(id), ordinality, sku, name, quantity, price
                    FROM unnest(\(order.items.map(\.sku))::text[], \(order.items.map(\.name))::text[],
                                \(order.items.map { Int64($0.quantity) })::bigint[], \(order.items.map(\.unitPriceMinor))::bigint[])
                         WITH ORDINALITY AS item(sku, name, quantity, price, ordinality)
                    """, logger: logger)
                try await AuditRepository.append(action: Action.create, subjectID: subjectID, actor: actor, on: connection, logger: logger)
                guard let record = try await Self.load(ids: [id], keys: keys, on: connection, logger: logger).first else {
                    throw StoreError.unexpectedlyEmpty
                }
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, ["orders_external_ref_key": "external_ref"])
        }
    }

    /// Reads one order and records the read; nil when there is none, ``SubjectRestricted`` when its subject is blocked
    /// for `actor`. One prepared statement (``OrderReadStatement``).
    public func read(id: UUID, actor: AuditActor) async throws -> OrderRecord? {
        let keys = try database.requireKeys()
        guard let row = try await database.execute(OrderReadStatement(id: id, actor: actor)).first else { return nil }
        try actor.requirePermitted(try Self.subjectStatus(in: row))
        return try Self.orderWithItems(from: row, keys: keys)
    }

    /// A page of the subject's orders ordered by id, after `afterID`, with their items; nil when there is no such
    /// subject, ``SubjectRestricted`` when it is blocked for `actor`. One prepared statement (``OrderListStatement``).
    public func list(subjectID: UUID, afterID: UUID?, limit: Int, actor: AuditActor) async throws -> [OrderRecord]? {
        let after = afterID ?? .keysetStart
        let keys = try database.requireKeys()
        var subjectExists = false
        var orders: [OrderRecord] = []
        for row in try await database.execute(OrderListStatement(subjectID: subjectID, after: after, limit: limit, actor: actor)) {
            subjectExists = true
            try actor.requirePermitted(try Self.subjectStatus(in: row))
            guard try row.makeRandomAccess()[0].decode(UUID?.self) != nil else { continue }
            orders.append(try Self.orderWithItems(from: row, keys: keys))
        }
        return subjectExists ? orders : nil
    }

    /// Moves an order to `status` if the transition is allowed; moving to the current status changes nothing. The shop
    /// cannot move the order of a blocked subject (``SubjectRestricted``).
    public func changeStatus(id: UUID, to status: OrderStatus, actor: AuditActor) async throws -> OrderRecord {
        let keys = try database.requireKeys()
        return try await database.transaction { connection in
            let logger = database.logger
            if actor.party != .oversight {
                // The subject before the order, as an erasure locks them; an order's subject never changes.
                let owner = try await connection.query("SELECT subject_id FROM orders WHERE id = \(id)", logger: logger)
                    .decode(UUID.self).first(where: { _ in true })
                if let owner, let subjectStatus = try await SubjectRepository.lockedStatus(of: owner, .shared, on: connection, logger: logger) {
                    try actor.requirePermitted(subjectStatus)
                }
            }
            guard let (current, subjectID) = try await connection.query(
                "SELECT status, subject_id FROM orders WHERE id = \(id) FOR UPDATE", logger: logger
            ).decode((String, UUID).self).first(where: { _ in true }), let from = OrderStatus(rawValue: current) else {
                throw OrderFailure.orderNotFound
            }
            if from != status {
                guard from.canMove(to: status) else { throw OrderFailure.invalidTransition(from: from, to: status) }
                try await connection.query("""
                    UPDATE orders SET status = \(status.rawValue), status_changed_at = now(), updated_at = now() WHERE id = \(id)
                    """, logger: logger)
                try await AuditRepository.append(action: Action.status, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            }
            guard let record = try await Self.load(ids: [id], keys: keys, on: connection, logger: logger).first else { throw StoreError.unexpectedlyEmpty }
            return record
        }
    }

    /// An order's items as arrays, in line order, from the lateral join ``itemsJoin(of:)`` names `items`.
    static let itemColumns = "items.skus, items.names, items.quantities, items.prices"

    /// Joins the items of the order whose id is the expression `orderID` as ``itemColumns``.
    static func itemsJoin(of orderID: String) -> String {
        """
        LEFT JOIN LATERAL (
            SELECT array_agg(sku ORDER BY line_no) AS skus, array_agg(name ORDER BY line_no) AS names,
                   array_agg(quantity::bigint ORDER BY line_no) AS quantities, array_agg(unit_price_minor ORDER BY line_no) AS prices
            FROM order_items WHERE order_id = \(orderID)
        ) AS items ON true
        """
    }

    /// The subject's status in a row of ``columns``, ``itemColumns`` and the status.
    private static func subjectStatus(in row: PostgresRow) throws -> SubjectStatus {
        guard let status = SubjectStatus(rawValue: try row.makeRandomAccess()[20].decode(String.self)) else {
            throw StoreError.unexpectedValue(column: "subjects.status")
        }
        return status
    }

    /// The order in a row of ``columns`` and ``itemColumns``, with its items and its delivery block opened.
    private static func orderWithItems(from row: PostgresRow, keys: PersonalDataKeys) throws -> OrderRecord {
        let cells = row.makeRandomAccess()
        let skus = try cells[16].decode([String]?.self) ?? []
        let names = try cells[17].decode([String]?.self) ?? []
        let quantities = try cells[18].decode([Int64]?.self) ?? []
        let prices = try cells[19].decode([Int64]?.self) ?? []
        guard names.count == skus.count, quantities.count == skus.count, prices.count == skus.count else {
            throw StoreError.unexpectedValue(column: "order_items")
        }
        let items = skus.indices.map { OrderItem(sku: skus[$0], name: names[$0], quantity: Int(quantities[$0]), unitPriceMinor: prices[$0]) }
        return try order(from: row, items: items, keys: keys)
    }

    /// The order in a row whose first columns are ``columns``, its delivery block opened.
    private static func order(from row: PostgresRow, items: [OrderItem], keys: PersonalDataKeys) throws -> OrderRecord {
        let (id, subjectID, externalRef, status, currency, total, name, phone, lines, city, postalCode, country, placedAt, changedAt)
            = try row.decode((UUID, UUID, String, String, String, Int64, String?, String?, [String]?, String?, String?, String?, Date, Date).self)
        let cells = row.makeRandomAccess()
        let cipher = try SubjectKeys.cipher(
            subjectID: subjectID, kekID: try cells[14].decode(String?.self), wrapped: try cells[15].decode(ByteBuffer?.self), keys: keys)
        guard let status = OrderStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "orders.status") }
        let delivery = try StoredDelivery(
            recipientName: name, phone: phone, addressLines: lines, city: city, postalCode: postalCode, country: country
        ).opened(with: cipher, order: id)
        return OrderRecord(
            id: id, subjectID: subjectID, externalRef: externalRef, status: status, currency: currency, totalMinor: total,
            items: items, deliveryRecipientName: delivery.recipientName, deliveryPhone: delivery.phone,
            deliveryAddressLines: delivery.addressLines, deliveryCity: delivery.city, deliveryPostalCode: delivery.postalCode,
            deliveryCountry: delivery.country, placedAt: placedAt, statusChangedAt: changedAt)
    }

    /// Orders with their items, in the order of `ids`.
    static func load(ids: [UUID], keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws -> [OrderRecord] {
        guard !ids.isEmpty else { return [] }
        var items: [UUID: [OrderItem]] = [:]
        for try await (orderID, sku, name, quantity, price) in try await connection.query("""
            SELECT order_id, sku, name, quantity, unit_price_minor FROM order_items WHERE order_id = ANY(\(ids)) ORDER BY order_id, line_no
            """, logger: logger).decode((UUID, String, String, Int, Int64).self) {
            items[orderID, default: []].append(OrderItem(sku: sku, name: name, quantity: quantity, unitPriceMinor: price))
        }
        var orders: [UUID: OrderRecord] = [:]
        for try await row in try await connection.query("""
            SELECT \(unescaped: columns) FROM orders o \(unescaped: SubjectKeys.orderJoin) WHERE o.id = ANY(\(ids))
            """, logger: logger) {
            let id = try row.makeRandomAccess()[0].decode(UUID.self)
            orders[id] = try order(from: row, items: items[id] ?? [], keys: keys)
        }
        return ids.compactMap { orders[$0] }
    }
}
