import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// Everything a courier transfer needs, read when the job runs.
public struct CourierTransferContext: Sendable {
    public let shipmentStatus: String
    public let orderID: UUID
    public let subjectID: UUID
    public let subjectStatus: SubjectStatus
    public let orderReference: String
    public let items: [OrderItem]
    public let recipientName: String?
    public let phone: String?
    public let addressLines: [String]?
    public let city: String?
    public let postalCode: String?
    public let country: String?
    public let target: OutboundTarget
    public let recipientActive: Bool
    public let countryAdequate: Bool
    public let crossBorderConsentGranted: Bool
    public let deliveryLegalBasis: LegalBasis
}

/// One recorded disclosure of personal data to a third party.
public struct TransferRecord: Sendable, Equatable {
    public let id: Int64
    public let recipientCode: String
    public let orderID: UUID?
    public let shipmentID: UUID?
    public let dataCategories: [DataCategory]
    public let purpose: String
    public let legalBasis: String
    public let transferredAt: Date
}

/// The transfer log and the shipment outcomes the courier job writes.
public struct TransferRepository: Sendable {
    let database: Database

    public static let courierAction = "transfer.courier"

    public init(database: Database) {
        self.database = database
    }

    public func courierContext(shipmentID: UUID) async throws -> CourierTransferContext? {
        guard let row = try await database.query("""
            SELECT s.status, o.id, o.subject_id, subj.status, o.external_ref, o.delivery_recipient_name, o.delivery_phone,
                   o.delivery_address_lines, o.delivery_city, o.delivery_postal_code, o.delivery_country,
                   r.id, r.base_url, r.api_token, r.signing_secret, r.active, r.country_adequate,
                   COALESCE((SELECT action = 'grant' FROM consent_states cs
                             WHERE cs.subject_id = o.subject_id AND cs.purpose_code = \(PurposeCode.crossBorderTransfer)), false),
                   (SELECT legal_basis FROM purposes WHERE code = \(PurposeCode.delivery))
            FROM shipments s JOIN orders o ON o.id = s.order_id JOIN subjects subj ON subj.id = o.subject_id
            JOIN recipients r ON r.id = s.recipient_id
            WHERE s.id = \(shipmentID)
            """).collect().first else { return nil }
        let (shipmentStatus, orderID, subjectID, subjectStatus, reference, name, phone, lines, city, postalCode, country,
             recipientID, baseURL, token, secret, active, adequate, consented, basis)
            = try row.decode((String, UUID, UUID, String, String, String?, String?, [String]?, String?, String?, String?,
                              UUID, String, String?, String, Bool, Bool, Bool, String?).self)
        var items: [OrderItem] = []
        for try await (sku, itemName, quantity, price) in try await database.query(
            "SELECT sku, name, quantity, unit_price_minor FROM order_items WHERE order_id = \(orderID) ORDER BY line_no"
        ).decode((String, String, Int, Int64).self) {
            items.append(OrderItem(sku: sku, name: itemName, quantity: quantity, unitPriceMinor: price))
        }
        return CourierTransferContext(
            shipmentStatus: shipmentStatus, orderID: orderID, subjectID: subjectID,
            subjectStatus: SubjectStatus(rawValue: subjectStatus) ?? .erased, orderReference: reference, items: items,
            recipientName: name, phone: phone, addressLines: lines, city: city, postalCode: postalCode, country: country,
            target: OutboundTarget(recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret),
            recipientActive: active, countryAdequate: adequate, crossBorderConsentGranted: consented,
            deliveryLegalBasis: basis.flatMap(LegalBasis.init(rawValue:)) ?? .contract)
    }

    /// Marks a shipment failed with a reason the shop can read (no personal data).
    public func markShipmentFailed(shipmentID: UUID, reason: String) async throws {
        try await database.query("""
            UPDATE shipments SET status = 'failed', failure_reason = \(reason), updated_at = now() WHERE id = \(shipmentID) AND status = 'pending'
            """)
    }

    /// Marks a shipment sent with the courier's tracking reference and records the disclosure, in one transaction.
    public func recordCourierTransfer(
        shipmentID: UUID, context: CourierTransferContext, trackingReference: String?, categories: [DataCategory], jobID: Int64
    ) async throws {
        try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("""
                UPDATE shipments SET status = 'sent', tracking_reference = \(trackingReference), failure_reason = NULL, updated_at = now()
                WHERE id = \(shipmentID)
                """, logger: logger)
            try await connection.query("""
                INSERT INTO transfers (recipient_id, subject_id, order_id, shipment_id, data_categories, purpose_code, legal_basis, job_id)
                VALUES (\(context.target.recipientID), \(context.subjectID), \(context.orderID), \(shipmentID), \(categories.map(\.rawValue)),
                        \(PurposeCode.delivery), \(context.deliveryLegalBasis.rawValue), \(jobID))
                """, logger: logger)
            try await AuditRepository.append(
                action: Self.courierAction, subjectID: context.subjectID, actor: AuditActor(apiKeyID: nil, requestID: "job-\(jobID)"),
                on: connection, logger: logger)
        }
    }

    /// Every disclosure of the subject's data, oldest first; the read is audited.
    public func transfers(subjectID: UUID, actor: AuditActor) async throws -> [TransferRecord]? {
        try await database.transaction { connection in
            let logger = database.logger
            guard try await SubjectRepository.exists(subjectID, on: connection, logger: logger) else { return nil }
            var records: [TransferRecord] = []
            for try await (id, code, orderID, shipmentID, categories, purpose, basis, at) in try await connection.query("""
                SELECT t.id, r.code, t.order_id, t.shipment_id, t.data_categories, t.purpose_code, t.legal_basis, t.transferred_at
                FROM transfers t JOIN recipients r ON r.id = t.recipient_id WHERE t.subject_id = \(subjectID) ORDER BY t.id
                """, logger: logger).decode((Int64, String, UUID?, UUID?, [String], String, String, Date).self) {
                records.append(TransferRecord(
                    id: id, recipientCode: code, orderID: orderID, shipmentID: shipmentID,
                    dataCategories: categories.compactMap(DataCategory.init(rawValue:)), purpose: purpose, legalBasis: basis, transferredAt: at))
            }
            try await AuditRepository.append(action: "transfer.read", subjectID: subjectID, actor: actor, on: connection, logger: logger)
            return records
        }
    }
}
