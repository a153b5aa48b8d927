import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// A hand-over of an order to a courier.
public struct ShipmentRecord: Sendable, Equatable {
    public let id: UUID
    public let orderID: UUID
    public let recipientCode: String
    public let status: String
    public let trackingReference: String?
    public let failureReason: String?
    public let createdAt: Date
    public let updatedAt: Date
}

/// Why a shipment was not created.
public enum ShipmentFailure: Error, Equatable {
    case orderNotFound
    case recipientNotACourier
    case orderNotShippable(OrderStatus)
    case subjectNotActive(SubjectStatus)
}

/// Shipments to couriers: created with their transfer job in one transaction.
public struct ShipmentRepository: Sendable {
    let database: Database

    public static let createAction = "shipment.create"

    static let columns = """
        s.id, s.order_id, r.code, s.status, s.tracking_reference, s.failure_reason, s.created_at, s.updated_at
        """

    public init(database: Database) {
        self.database = database
    }

    /// Creates a pending shipment and enqueues the courier transfer, in one transaction.
    public func create(orderID: UUID, recipientCode: String, actor: AuditActor) async throws -> ShipmentRecord {
        try await database.transaction { connection in
            let logger = database.logger
            guard let (subjectID, orderStatus) = try await connection.query(
                "SELECT subject_id, status FROM orders WHERE id = \(orderID) FOR UPDATE", logger: logger
            ).decode((UUID, String).self).first(where: { _ in true }) else { throw ShipmentFailure.orderNotFound }
            guard let status = OrderStatus(rawValue: orderStatus), status == .placed || status == .paid || status == .shipped else {
                throw ShipmentFailure.orderNotShippable(OrderStatus(rawValue: orderStatus) ?? .cancelled)
            }
            guard let subjectStatus = try await SubjectRepository.lockedStatus(of: subjectID, .shared, on: connection, logger: logger) else {
                throw ShipmentFailure.orderNotFound
            }
            guard subjectStatus == .active else { throw ShipmentFailure.subjectNotActive(subjectStatus) }
            guard let recipientID = try await connection.query(
                "SELECT id FROM recipients WHERE code = \(recipientCode) AND kind = 'courier' AND active", logger: logger
            ).decode(UUID.self).first(where: { _ in true }) else { throw ShipmentFailure.recipientNotACourier }
            let id = UUID()
            let jobID = try await JobQueue.enqueue(
                CourierTransferJob.self, .init(shipmentID: id), subjectID: subjectID, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO shipments (id, order_id, recipient_id, job_id) VALUES (\(id), \(orderID), \(recipientID), \(jobID))
                """, logger: logger)
            try await AuditRepository.append(action: Self.createAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            guard let record = try await Self.decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM shipments s JOIN recipients r ON r.id = s.recipient_id WHERE s.id = \(id)", logger: logger
            )).first else { throw StoreError.unexpectedlyEmpty }
            return record
        }
    }

    /// An order's shipments, oldest first; nil when there is no such order, ``SubjectRestricted`` when its subject is
    /// blocked for `actor`.
    public func forOrder(_ orderID: UUID, actor: AuditActor) async throws -> [ShipmentRecord]? {
        try await database.transaction { connection in
            let logger = database.logger
            guard let status = try await connection.query(
                "SELECT s.status FROM orders o JOIN subjects s ON s.id = o.subject_id WHERE o.id = \(orderID)", logger: logger
            ).decode(String.self).first(where: { _ in true }) else { return nil }
            guard let status = SubjectStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "subjects.status") }
            try actor.requirePermitted(status)
            return try await Self.decode(connection.query("""
                SELECT \(unescaped: Self.columns) FROM shipments s JOIN recipients r ON r.id = s.recipient_id
                WHERE s.order_id = \(orderID) ORDER BY s.created_at, s.id
                """, logger: logger))
        }
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [ShipmentRecord] {
        var records: [ShipmentRecord] = []
        for try await (id, orderID, code, status, tracking, reason, createdAt, updatedAt)
            in rows.decode((UUID, UUID, String, String, String?, String?, Date, Date).self) {
            records.append(ShipmentRecord(
                id: id, orderID: orderID, recipientCode: code, status: status, trackingReference: tracking, failureReason: reason,
                createdAt: createdAt, updatedAt: updatedAt))
        }
        return records
    }
}
