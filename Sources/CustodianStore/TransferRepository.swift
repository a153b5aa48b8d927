import CustodianCore
import CustodianDatabase
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

    /// What ``DisclosureRule`` judges this transfer by.
    public var disclosureFacts: DisclosureFacts {
        DisclosureFacts(
            subjectStatus: subjectStatus, recipientActive: recipientActive, countryAdequate: countryAdequate,
            crossBorderConsentGranted: crossBorderConsentGranted)
    }
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
    /// The audit action of a read of a subject's transfer log.
    static let readAction = "transfer.read"

    public init(database: Database) {
        self.database = database
    }

    /// Decides in one short transaction whether job `jobID` may send the shipment's delivery data now
    /// (``DisclosureRule``), and records the disclosure in flight when it may; a refusal marks the shipment failed.
    public func startCourierTransfer(shipmentID: UUID, jobID: Int64, categories: [DataCategory]) async throws -> DisclosureStart<CourierTransferContext> {
        try await database.transaction { connection in
            let logger = database.logger
            guard let context = try await Self.courierContext(
                shipmentID: shipmentID, keys: try database.requireKeys(), on: connection, logger: logger
            ) else { return .missing }
            guard context.shipmentStatus == "pending" else { return .settled }
            let reason: String
            switch RecipientMessage.courierTransfer.decide(context.disclosureFacts) {
            case .held(let why):
                return .held(reason: why)
            case .refused(let why):
                reason = why
            case .allowed:
                guard context.recipientName != nil, context.phone != nil, context.addressLines != nil, context.city != nil,
                      context.country != nil
                else {
                    reason = "the order has no delivery data"
                    break
                }
                try await DisclosureInFlight.record(
                    jobID: jobID, subjectID: context.subjectID, recipientID: context.target.recipientID, orderID: context.orderID,
                    categories: categories, purposeCode: PurposeCode.delivery, on: connection, logger: logger)
                return .send(context)
            }
            try await connection.query(Self.shipmentFailed(shipmentID, reason: reason), logger: logger)
            return .refused(reason: reason)
        }
    }

    /// Records how job `jobID`'s call ended, in one statement: delivered (``CourierTransferDeliveredStatement``: the
    /// shipment sent with the courier's tracking reference, the transfer logged and audited, the in-flight record gone),
    /// or not (see ``DisclosureOutcome``).
    public func finishCourierTransfer(
        shipmentID: UUID, context: CourierTransferContext, jobID: Int64, categories: [DataCategory], trackingReference: String?,
        outcome: DisclosureOutcome
    ) async throws {
        switch outcome {
        case .delivered:
            _ = try await database.execute(CourierTransferDeliveredStatement(
                jobID: jobID, trackingReference: trackingReference, shipmentID: shipmentID, context: context, categories: categories))
        case .notDelivered(let answered, let failure):
            try await database.query(DisclosureInFlight.notDelivered(
                jobID: jobID, answered: answered, failure: failure, table: "shipments", recordID: shipmentID))
        }
    }

    /// Marks a pending shipment failed with a reason the shop can read (no personal data).
    static func shipmentFailed(_ shipmentID: UUID, reason: String) -> PostgresQuery {
        "UPDATE shipments SET status = 'failed', failure_reason = \(reason), updated_at = now() WHERE id = \(shipmentID) AND status = 'pending'"
    }

    /// The shipment, its order with the parcel lines, the subject's status and consent, and the courier, in one prepared
    /// statement (``CourierContextStatement``).
    static func courierContext(
        shipmentID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> CourierTransferContext? {
        guard let row = try await connection.execute(CourierContextStatement(shipmentID: shipmentID), logger: logger)
            .first(where: { _ in true }) else { return nil }
        let (shipmentStatus, orderID, subjectID, subjectStatus, reference, name, phone, lines, city, postalCode, country,
             recipientID, baseURL, token, secret, active, adequate, consented, basis, itemsJSON)
            = try row.decode((String, UUID, UUID, String, String, String?, String?, [String]?, String?, String?, String?,
                              UUID, String, String?, String, Bool, Bool, Bool, String?, String).self)
        let items = try JSONDecoder().decode([OrderLineJSON].self, from: Data(itemsJSON.utf8)).map {
            OrderItem(sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor)
        }
        let cells = row.makeRandomAccess()
        let cipher = try SubjectKeys.cipher(
            subjectID: subjectID, kekID: try cells[20].decode(String?.self), wrapped: try cells[21].decode(ByteBuffer?.self), keys: keys)
        let delivery = try StoredDelivery(
            recipientName: name, phone: phone, addressLines: lines, city: city, postalCode: postalCode, country: country
        ).opened(with: cipher, order: orderID)
        return CourierTransferContext(
            shipmentStatus: shipmentStatus, orderID: orderID, subjectID: subjectID,
            subjectStatus: SubjectStatus(rawValue: subjectStatus) ?? .erased, orderReference: reference, items: items,
            recipientName: delivery.recipientName, phone: delivery.phone, addressLines: delivery.addressLines, city: delivery.city,
            postalCode: delivery.postalCode, country: delivery.country,
            target: try RecipientSecrets.target(recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: keys),
            recipientActive: active, countryAdequate: adequate, crossBorderConsentGranted: consented,
            deliveryLegalBasis: basis.flatMap(LegalBasis.init(rawValue:)) ?? .contract)
    }

    /// One page of the disclosures of the subject's data, oldest first, after the transfer `afterID`; nil when there
    /// is no such subject. One prepared statement (``TransferListStatement``): the page and its audit row commit together.
    public func transfers(subjectID: UUID, afterID: Int64?, limit: Int, actor: AuditActor) async throws -> [TransferRecord]? {
        let rows = try await database.execute(TransferListStatement(subjectID: subjectID, afterID: afterID ?? 0, limit: limit, actor: actor))
        var subjectExists = false
        var records: [TransferRecord] = []
        for row in rows {
            subjectExists = true
            let (id, code, orderID, shipmentID, categories, purpose, basis, at) = try row.decode(
                (Int64?, String?, UUID?, UUID?, [String]?, String?, String?, Date?).self)
            guard let id, let code, let categories, let purpose, let basis, let at else { continue }
            records.append(TransferRecord(
                id: id, recipientCode: code, orderID: orderID, shipmentID: shipmentID,
                dataCategories: categories.compactMap(DataCategory.init(rawValue:)), purpose: purpose, legalBasis: basis, transferredAt: at))
        }
        return subjectExists ? records : nil
    }
}
