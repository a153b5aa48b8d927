import CustodianCore
import Foundation

/// An order's delivery block as the `orders.delivery_*` columns hold it: every value but the country sealed under the
/// subject's data key for its column and order, all nil once erasure has depersonalised the order. The one place that
/// names the context each value is sealed for. Written with absent values as `null` (the export's `delivery`).
struct StoredDelivery: Codable, Sendable {
    var recipientName: String?
    var phone: String?
    var addressLines: [String]?
    var city: String?
    var postalCode: String?
    var country: String?

    enum CodingKeys: String, CodingKey {
        case phone, city, country
        case recipientName = "recipient_name", addressLines = "address_lines", postalCode = "postal_code"
    }

    /// The block with its values opened under `cipher` for order `order`; a value whose key is gone is nil.
    func opened(with cipher: SubjectCipher, order: UUID) throws -> StoredDelivery {
        StoredDelivery(
            recipientName: try cipher.open(recipientName, "orders.delivery_recipient_name", row: order),
            phone: try cipher.open(phone, "orders.delivery_phone", row: order),
            addressLines: try cipher.open(addressLines, "orders.delivery_address_lines", row: order),
            city: try cipher.open(city, "orders.delivery_city", row: order),
            postalCode: try cipher.open(postalCode, "orders.delivery_postal_code", row: order), country: country)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recipientName, forKey: .recipientName)
        try container.encode(phone, forKey: .phone)
        try container.encode(addressLines, forKey: .addressLines)
        try container.encode(city, forKey: .city)
        try container.encode(postalCode, forKey: .postalCode)
        try container.encode(country, forKey: .country)
    }
}

extension StoredDelivery {
    /// A new order's block, sealed under `cipher` for order `order`.
    init(sealing block: DeliveryBlock, with cipher: SubjectCipher, order: UUID) {
        self.init(
            recipientName: cipher.seal(block.recipientName, "orders.delivery_recipient_name", row: order),
            phone: cipher.seal(block.phone, "orders.delivery_phone", row: order),
            addressLines: cipher.seal(block.addressLines, "orders.delivery_address_lines", row: order),
            city: cipher.seal(block.city, "orders.delivery_city", row: order),
            postalCode: cipher.seal(block.postalCode, "orders.delivery_postal_code", row: order), country: block.country)
    }
}
