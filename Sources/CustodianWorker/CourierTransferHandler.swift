import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

/// Sends an order's delivery data to a courier: only what delivery needs (recipient name, phone, delivery address,
/// order reference, parcel lines), never the e-mail or registration address. A short transaction first applies
/// ``DisclosureRule`` (a restricted subject's job is held; an erased subject, a deactivated courier, or a courier in a
/// non-adequate country without the subject's `cross_border_transfer` consent fail it, with the reason shown on the
/// shipment) and records the disclosure in flight; the call then runs holding no database connection; a last short
/// statement logs the delivered transfer in `transfers` with the courier's tracking reference on the shipment.
public struct CourierTransferHandler: JobHandler {
    public typealias Kind = CourierTransferJob
    public let concurrency: Int
    let transfers: TransferRepository
    let client: OutboundClient

    /// The categories a courier receives.
    static let categories: [DataCategory] = [.fullName, .phone, .deliveryAddress]

    public init(database: Database, client: OutboundClient, concurrency: Int = Kind.defaultConcurrency) {
        self.transfers = TransferRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        let shipmentID = job.payload.shipmentID
        return await DisclosureStart<CourierTransferContext>.run(missing: "the shipment no longer exists") {
            try await transfers.startCourierTransfer(shipmentID: shipmentID, jobID: job.id, categories: Self.categories)
        } send: { context in
            await send(job, shipmentID: shipmentID, context: context)
        }
    }

    /// Sends the delivery data, holding no database connection, then records the outcome.
    func send(_ job: Job<Kind>, shipmentID: UUID, context: CourierTransferContext) async -> JobOutcome {
        guard let name = context.recipientName, let phone = context.phone, let lines = context.addressLines, let city = context.city,
              let country = context.country
        else { return .failed(reason: "the order has no delivery data", httpStatus: nil) }
        let request = CourierRequest(
            orderReference: context.orderReference,
            recipient: .init(name: name, phone: phone),
            address: .init(lines: lines, city: city, postalCode: context.postalCode, country: country),
            parcelLines: context.items.map { .init(sku: $0.sku, name: $0.name, quantity: $0.quantity) })
        guard let body = try? JSONEncoder.canonical.encode(request) else { return .failed(reason: "the request could not be encoded", httpStatus: nil) }
        let (outcome, _, answer) = await client.post(to: context.target, path: "/courier/shipments", body: body, webhookID: "msg_job\(job.id)_courier")
        let tracking = outcome == .succeeded ? (try? JSONDecoder().decode(CourierAnswer.self, from: answer))?.trackingReference : nil
        do {
            try await transfers.finishCourierTransfer(
                shipmentID: shipmentID, context: context, jobID: job.id, categories: Self.categories, trackingReference: tracking,
                outcome: outcome.disclosureOutcome(
                    lastAttempt: job.isLastAttempt, refusal: { "the courier refused the transfer: \($0)" },
                    exhaustion: { "the courier could not be reached, no attempts left: \($0)" }))
        } catch {
            // Delivered but not recorded: the retry sends again under the same webhook-id, which the courier deduplicates.
            return .retry(reason: "recording the transfer failed: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
        return outcome
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
