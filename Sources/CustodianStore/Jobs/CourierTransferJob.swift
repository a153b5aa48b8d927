import CustodianQueue
import Foundation

/// Send an order's delivery data to a courier and record the disclosure.
public enum CourierTransferJob: JobKind {
    /// What a job of this kind carries: ids only; the handler reads the rest when it runs.
    public struct Payload: Codable, Sendable, Equatable {
        public let shipmentID: UUID

        enum CodingKeys: String, CodingKey {
            case shipmentID = "shipment_id"
        }

        public init(shipmentID: UUID) {
            self.shipmentID = shipmentID
        }

        /// Ids as PostgreSQL writes them (lowercase), so a payload reads the same whoever wrote it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(shipmentID.uuidString.lowercased(), forKey: .shipmentID)
        }
    }

    public static let name = "courier_transfer"
    /// 12 attempts span about 2.5 hours: a hand-over is worthless after a few.
    public static let maximumAttempts = 12
    public static let defaultConcurrency = 8
}
