import CustodianCore
import CustodianStore
import Foundation

/// Sends an order's delivery data to a courier: only what delivery needs (recipient name, phone, delivery address,
/// order reference, parcel lines), never the e-mail or registration address. At send time it re-checks that the
/// subject is active (a restricted subject's job is held), the courier active, and that a courier in a non-adequate country has the subject's
/// `cross_border_transfer` consent; otherwise the job fails with the reason shown on the shipment. A delivered
/// transfer is recorded in `transfers` with the courier's tracking reference on the shipment.
public struct CourierTransferHandler: JobHandler {
    public let kind = JobKind.courierTransfer.rawValue
    public let concurrency: Int
    let transfers: TransferRepository
    let client: OutboundClient

    /// The categories a courier receives.
    static let categories: [DataCategory] = [.fullName, .phone, .deliveryAddress]

    public init(database: Database, client: OutboundClient, concurrency: Int = 8) {
        self.transfers = TransferRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    public func run(_ job: ClaimedJob) async -> JobOutcome {
        guard let shipmentID = job.payload["shipment_id"].flatMap(UUID.init(uuidString:)) else {
            return .failed(reason: "the job names no shipment", httpStatus: nil)
        }
        do {
            return try await transfers.withDisclosureGate(shipmentID: shipmentID, outgoingTime: client.totalTimeout + .seconds(2)) { context, recorder in
                guard let context else { return .failed(reason: "the shipment no longer exists", httpStatus: nil) }
                return try await send(job, shipmentID: shipmentID, context: context, recorder: recorder)
            }
        } catch {
            return .retry(reason: "database error: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
    }

    /// Sends the delivery data, unless the shipment is settled or a rule forbids it now, and records the outcome.
    func send(_ job: ClaimedJob, shipmentID: UUID, context: CourierTransferContext, recorder: CourierTransferRecorder) async throws -> JobOutcome {
        guard context.shipmentStatus == "pending" else { return .succeeded }
        if context.subjectStatus == .restricted { return .held(reason: "the subject is restricted: held until the restriction is lifted") }
        if let refusal = refusal(context) {
            try await recorder.markShipmentFailed(shipmentID: shipmentID, reason: refusal)
            return .failed(reason: refusal, httpStatus: nil)
        }
        guard let name = context.recipientName, let phone = context.phone, let lines = context.addressLines, let city = context.city,
              let country = context.country
        else {
            let reason = "the order has no delivery data"
            try await recorder.markShipmentFailed(shipmentID: shipmentID, reason: reason)
            return .failed(reason: reason, httpStatus: nil)
        }
        let request = CourierRequest(
            orderReference: context.orderReference,
            recipient: .init(name: name, phone: phone),
            address: .init(lines: lines, city: city, postalCode: context.postalCode, country: country),
            parcelLines: context.items.map { .init(sku: $0.sku, name: $0.name, quantity: $0.quantity) })
        let (outcome, _, answer) = await client.post(
            to: context.target, path: "/courier/shipments", body: try JSONEncoder.canonical.encode(request), webhookID: "msg_job\(job.id)_courier")
        switch outcome {
        case .succeeded:
            let tracking = (try? JSONDecoder().decode(CourierAnswer.self, from: answer))?.trackingReference
            try await recorder.recordCourierTransfer(
                shipmentID: shipmentID, context: context, trackingReference: tracking, categories: Self.categories, jobID: job.id)
        case .failed(let reason, _):
            try await recorder.markShipmentFailed(shipmentID: shipmentID, reason: "the courier refused the transfer: \(reason)")
        case .retry(let reason, _, _):
            if job.isLastAttempt {
                try await recorder.markShipmentFailed(shipmentID: shipmentID, reason: "the courier could not be reached, no attempts left: \(reason)")
            }
        case .held:
            break
        }
        return outcome
    }

    /// Why the transfer may not happen now, or nil.
    func refusal(_ context: CourierTransferContext) -> String? {
        if context.subjectStatus != .active { return "the subject is \(context.subjectStatus.rawValue): no transfers" }
        if !context.recipientActive { return "the courier is deactivated" }
        if !context.countryAdequate, !context.crossBorderConsentGranted {
            return "the courier's country is not adequate and the subject has not consented to cross-border transfer"
        }
        return nil
    }

    struct CourierRequest: Encodable {
        struct Recipient: Encodable {
            let name: String
            let phone: String
        }

        struct Address: Encodable {
            let lines: [String]
            let city: String
            let postalCode: String?
            let country: String

            enum CodingKeys: String, CodingKey {
                case lines, city, country
                case postalCode = "postal_code"
            }
        }

        struct ParcelLine: Encodable {
            let sku: String
            let name: String
            let quantity: Int
        }

        let orderReference: String
        let recipient: Recipient
        let address: Address
        let parcelLines: [ParcelLine]

        enum CodingKeys: String, CodingKey {
            case recipient, address
            case orderReference = "order_reference"
            case parcelLines = "parcel_lines"
        }
    }

    struct CourierAnswer: Decodable {
        let trackingReference: String

        enum CodingKeys: String, CodingKey {
            case trackingReference = "tracking_reference"
        }
    }
}
