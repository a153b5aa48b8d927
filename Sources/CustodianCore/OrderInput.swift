/// One line of an order: what was bought, how many, at what unit price (minor units).
public struct OrderItem: Sendable, Equatable {
    public let sku: String
    public let name: String
    public let quantity: Int
    public let unitPriceMinor: Int64

    public init(sku: String, name: String, quantity: Int, unitPriceMinor: Int64) {
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
    }
}

/// Where and to whom an order is delivered: personal data handed to couriers.
public struct DeliveryBlock: Sendable, Equatable {
    public let recipientName: String
    /// E.164.
    public let phone: String
    public let addressLines: [String]
    public let city: String
    public let postalCode: String?
    /// ISO 3166-1 alpha-2, uppercase.
    public let country: String

    public init(recipientName: String, phone: String, addressLines: [String], city: String, postalCode: String?, country: String) {
        self.recipientName = recipientName
        self.phone = phone
        self.addressLines = addressLines
        self.city = city
        self.postalCode = postalCode
        self.country = country
    }
}

/// A validated new order. The total must equal the sum of quantity × unit price, computed without overflow.
public struct NewOrder: Sendable, Equatable {
    public let externalRef: String
    public let items: [OrderItem]
    public let totalMinor: Int64
    public let currency: String
    public let delivery: DeliveryBlock

    public static let maximumItems = 500

    public init(externalRef: String, items: [OrderItem], totalMinor: Int64, currency: String, delivery: DeliveryBlock) throws(ValidationFailure) {
        var errors: [FieldError] = []
        // Lengths in code points, as JSON Schema's maxLength counts.
        func text(_ raw: String, _ field: String, maxLength: Int, required: Bool = true) -> String {
            let value = raw.trimmingWhitespace()
            if (required && value.isEmpty) || value.unicodeScalars.count > maxLength {
                errors.append(FieldError(field: field, message: "must be \(required ? 1 : 0) to \(maxLength) characters"))
            } else if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                errors.append(FieldError(field: field, message: "must not contain control characters"))
            }
            return value
        }

        self.externalRef = text(externalRef, "external_ref", maxLength: 128)
        if items.isEmpty || items.count > Self.maximumItems {
            errors.append(FieldError(field: "items", message: "must have 1 to \(Self.maximumItems) lines"))
        }
        var sum: Int64 = 0
        var overflow = false
        var cleanItems: [OrderItem] = []
        for (index, item) in items.enumerated() {
            let sku = text(item.sku, "items.\(index).sku", maxLength: 64)
            let name = text(item.name, "items.\(index).name", maxLength: 300)
            if !(1...1_000_000).contains(item.quantity) {
                errors.append(FieldError(field: "items.\(index).quantity", message: "must be from 1 to 1000000"))
            }
            if item.unitPriceMinor < 0 {
                errors.append(FieldError(field: "items.\(index).unit_price_minor", message: "must not be negative"))
            }
            let (line, lineOverflow) = item.unitPriceMinor.multipliedReportingOverflow(by: Int64(item.quantity))
            let (next, sumOverflow) = sum.addingReportingOverflow(line)
            overflow = overflow || lineOverflow || sumOverflow
            sum = next
            cleanItems.append(OrderItem(sku: sku, name: name, quantity: item.quantity, unitPriceMinor: item.unitPriceMinor))
        }
        self.items = cleanItems
        self.totalMinor = totalMinor
        if overflow {
            errors.append(FieldError(field: "items", message: "amounts are too large"))
        } else if totalMinor != sum {
            errors.append(FieldError(field: "total_minor", message: "must equal the sum of quantity × unit_price_minor over the items"))
        }
        self.currency = currency
        if currency.utf8.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            errors.append(FieldError(field: "currency", message: "must be an ISO 4217 code such as RUB"))
        }

        let recipient = text(delivery.recipientName, "delivery.recipient_name", maxLength: 300)
        var phone = delivery.phone
        switch PhoneNumber.normalise(delivery.phone) {
        case .success(let normalised): phone = normalised
        case .failure(let error): errors.append(FieldError(field: "delivery.phone", message: error.message))
        }
        let lines = delivery.addressLines.enumerated().map { text($1, "delivery.address_lines.\($0)", maxLength: 200) }
        if lines.isEmpty || lines.count > 4 {
            errors.append(FieldError(field: "delivery.address_lines", message: "must have 1 to 4 lines"))
        }
        let city = text(delivery.city, "delivery.city", maxLength: 100)
        let postalCode = delivery.postalCode.map { text($0, "delivery.postal_code", maxLength: 20, required: false) }
        let country = delivery.country.uppercased()
        if !CountryCode.isValid(country) {
            errors.append(FieldError(field: "delivery.country", message: "must be an ISO 3166-1 alpha-2 code such as RU"))
        }
        self.delivery = DeliveryBlock(
            recipientName: recipient, phone: phone, addressLines: lines, city: city,
            postalCode: postalCode.flatMap { $0.isEmpty ? nil : $0 }, country: country)
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
