import Foundation

/// The export's `subject` member as PostgreSQL writes it (``SubjectExport``), decoded by its known shape (a decode
/// that guesses each value's kind cost several times more). Absent values are written as `null`, as PostgreSQL wrote
/// them.
struct ExportedSubject: Codable {
    let id: String
    let externalRef: String?
    var fullName: String?
    var email: String?
    var phone: String?
    var registrationAddress: String?
    let locale: String?
    let status: String
    let createdAt: String
    let updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, email, phone, locale, status
        case externalRef = "external_ref", fullName = "full_name", registrationAddress = "registration_address"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(externalRef, forKey: .externalRef)
        try container.encode(fullName, forKey: .fullName)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(registrationAddress, forKey: .registrationAddress)
        try container.encode(locale, forKey: .locale)
        try container.encode(status, forKey: .status)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// One of the export's `orders` as PostgreSQL writes it (``SubjectExport``), decoded by its known shape.
struct ExportedOrder: Codable {
    /// As PostgreSQL writes it (lower case); a `UUID` would be written in upper case.
    let id: String
    let externalRef: String
    let status: String
    let currency: String
    let totalMinor: Int64
    let placedAt: String
    var delivery: Delivery
    let items: [OrderLineJSON]

    enum CodingKeys: String, CodingKey {
        case id, status, currency, delivery, items
        case externalRef = "external_ref", totalMinor = "total_minor", placedAt = "placed_at"
    }

    /// The delivery block; absent values are written as `null`.
    struct Delivery: Codable {
        var recipientName: String?
        var phone: String?
        var addressLines: [String]?
        var city: String?
        var postalCode: String?
        let country: String?

        enum CodingKeys: String, CodingKey {
            case phone, city, country
            case recipientName = "recipient_name", addressLines = "address_lines", postalCode = "postal_code"
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

        /// Opens the sealed values of order `row`'s block.
        mutating func open(with cipher: SubjectCipher, row: UUID) throws {
            recipientName = try cipher.open(recipientName, "orders.delivery_recipient_name", row: row)
            phone = try cipher.open(phone, "orders.delivery_phone", row: row)
            addressLines = try cipher.open(addressLines, "orders.delivery_address_lines", row: row)
            city = try cipher.open(city, "orders.delivery_city", row: row)
            postalCode = try cipher.open(postalCode, "orders.delivery_postal_code", row: row)
        }
    }
}
