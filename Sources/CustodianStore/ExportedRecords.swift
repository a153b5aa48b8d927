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
    var delivery: StoredDelivery
    let items: [OrderLineJSON]

    enum CodingKeys: String, CodingKey {
        case id, status, currency, delivery, items
        case externalRef = "external_ref", totalMinor = "total_minor", placedAt = "placed_at"
    }
}
