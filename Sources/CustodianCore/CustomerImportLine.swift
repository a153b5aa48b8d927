import Foundation

/// One customer of a bulk import as the file states it — an NDJSON line, or the CSV rows of one `external_ref` —: the
/// subject in the API's member names (`SubjectCreate`), its consent history (`ConsentEventCreate`, with `occurred_at`
/// required) and its orders (`OrderCreate` without `subject_id`, with an optional `placed_at` and `status`).
/// Unknown members are refused, as the API refuses them, so a misspelt column never drops data silently.
public struct CustomerImportLine: Decodable, Sendable, Equatable {
    public var externalRef: String
    public var fullName: String
    public var email: String?
    public var phone: String?
    public var registrationAddress: String?
    public var locale: String?
    public var hasAccount: Bool?
    public var consents: [Consent]
    public var orders: [Order]

    /// One consent event of the customer's history, as it happened.
    public struct Consent: Decodable, Sendable, Equatable {
        public var purpose: String
        public var action: String
        public var policyVersion: String
        public var consentText: String?
        public var channel: String
        public var occurredAt: String
        public var evidence: Evidence?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case purpose, action, channel, evidence
            case policyVersion = "policy_version", consentText = "consent_text", occurredAt = "occurred_at"
        }

        public init(
            purpose: String, action: String, policyVersion: String, consentText: String?, channel: String, occurredAt: String,
            evidence: Evidence?
        ) {
            self.purpose = purpose
            self.action = action
            self.policyVersion = policyVersion
            self.consentText = consentText
            self.channel = channel
            self.occurredAt = occurredAt
            self.evidence = evidence
        }

        public init(from decoder: any Decoder) throws {
            try rejectUnknownMembers(decoder, known: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            purpose = try container.decode(String.self, forKey: .purpose)
            action = try container.decode(String.self, forKey: .action)
            policyVersion = try container.decode(String.self, forKey: .policyVersion)
            consentText = try container.decodeIfPresent(String.self, forKey: .consentText)
            channel = try container.decode(String.self, forKey: .channel)
            occurredAt = try container.decode(String.self, forKey: .occurredAt)
            evidence = try container.decodeIfPresent(Evidence.self, forKey: .evidence)
        }
    }

    /// How a consent choice was made (`ConsentEvidence`).
    public struct Evidence: Decodable, Sendable, Equatable {
        public var ipAddress: String?
        public var userAgent: String?
        public var formID: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case ipAddress = "ip_address", userAgent = "user_agent", formID = "form_id"
        }

        public init(ipAddress: String?, userAgent: String?, formID: String?) {
            self.ipAddress = ipAddress
            self.userAgent = userAgent
            self.formID = formID
        }

        public init(from decoder: any Decoder) throws {
            try rejectUnknownMembers(decoder, known: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ipAddress = try container.decodeIfPresent(String.self, forKey: .ipAddress)
            userAgent = try container.decodeIfPresent(String.self, forKey: .userAgent)
            formID = try container.decodeIfPresent(String.self, forKey: .formID)
        }
    }

    /// One of the customer's orders.
    public struct Order: Decodable, Sendable, Equatable {
        public var externalRef: String
        public var items: [Item]
        public var totalMinor: Int64
        public var currency: String
        public var delivery: Delivery
        /// RFC 3339; the time of the import when absent.
        public var placedAt: String?
        /// `placed` when absent.
        public var status: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case items, currency, delivery, status
            case externalRef = "external_ref", totalMinor = "total_minor", placedAt = "placed_at"
        }

        public init(from decoder: any Decoder) throws {
            try rejectUnknownMembers(decoder, known: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            externalRef = try container.decode(String.self, forKey: .externalRef)
            items = try container.decode([Item].self, forKey: .items)
            totalMinor = try container.decode(Int64.self, forKey: .totalMinor)
            currency = try container.decode(String.self, forKey: .currency)
            delivery = try container.decode(Delivery.self, forKey: .delivery)
            placedAt = try container.decodeIfPresent(String.self, forKey: .placedAt)
            status = try container.decodeIfPresent(String.self, forKey: .status)
        }
    }

    /// One line of an order.
    public struct Item: Decodable, Sendable, Equatable {
        public var sku: String
        public var name: String
        public var quantity: Int
        public var unitPriceMinor: Int64

        enum CodingKeys: String, CodingKey, CaseIterable {
            case sku, name, quantity
            case unitPriceMinor = "unit_price_minor"
        }

        public init(from decoder: any Decoder) throws {
            try rejectUnknownMembers(decoder, known: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sku = try container.decode(String.self, forKey: .sku)
            name = try container.decode(String.self, forKey: .name)
            quantity = try container.decode(Int.self, forKey: .quantity)
            unitPriceMinor = try container.decode(Int64.self, forKey: .unitPriceMinor)
        }
    }

    /// Where and to whom an order was delivered (`DeliveryBlock`).
    public struct Delivery: Decodable, Sendable, Equatable {
        public var recipientName: String
        public var phone: String
        public var addressLines: [String]
        public var city: String
        public var postalCode: String?
        public var country: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case phone, city, country
            case recipientName = "recipient_name", addressLines = "address_lines", postalCode = "postal_code"
        }

        public init(from decoder: any Decoder) throws {
            try rejectUnknownMembers(decoder, known: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            recipientName = try container.decode(String.self, forKey: .recipientName)
            phone = try container.decode(String.self, forKey: .phone)
            addressLines = try container.decode([String].self, forKey: .addressLines)
            city = try container.decode(String.self, forKey: .city)
            postalCode = try container.decodeIfPresent(String.self, forKey: .postalCode)
            country = try container.decode(String.self, forKey: .country)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case email, phone, locale, consents, orders
        case externalRef = "external_ref", fullName = "full_name", registrationAddress = "registration_address", hasAccount = "has_account"
    }

    public init(
        externalRef: String, fullName: String, email: String?, phone: String?, registrationAddress: String?, locale: String?,
        hasAccount: Bool?, consents: [Consent], orders: [Order]
    ) {
        self.externalRef = externalRef
        self.fullName = fullName
        self.email = email
        self.phone = phone
        self.registrationAddress = registrationAddress
        self.locale = locale
        self.hasAccount = hasAccount
        self.consents = consents
        self.orders = orders
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownMembers(decoder, known: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        externalRef = try container.decode(String.self, forKey: .externalRef)
        fullName = try container.decode(String.self, forKey: .fullName)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        registrationAddress = try container.decodeIfPresent(String.self, forKey: .registrationAddress)
        locale = try container.decodeIfPresent(String.self, forKey: .locale)
        hasAccount = try container.decodeIfPresent(Bool.self, forKey: .hasAccount)
        consents = try container.decodeIfPresent([Consent].self, forKey: .consents) ?? []
        orders = try container.decodeIfPresent([Order].self, forKey: .orders) ?? []
    }

    /// The line decoded from one NDJSON line; a ``ValidationFailure`` naming the member (never its value) when it is not
    /// JSON or not of this shape.
    public static func decode(json line: some Collection<UInt8>) throws(ValidationFailure) -> CustomerImportLine {
        do {
            return try JSONDecoder().decode(CustomerImportLine.self, from: Data(line))
        } catch let error as DecodingError {
            throw ValidationFailure([error.fieldError])
        } catch {
            throw ValidationFailure([FieldError(field: "line", message: "is not a JSON object")])
        }
    }
}

/// A customer read from an import file, or the reasons it was refused, with the line it starts on.
public typealias ImportEntry = (line: Int, customer: Result<CustomerImportLine, ValidationFailure>)

/// Any member name, to list what an object holds.
private struct AnyMember: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Throws a decoding error at the first member of the object being decoded that `known` does not name.
private func rejectUnknownMembers<Key: CodingKey>(_ decoder: any Decoder, known: [Key]) throws {
    let names = Set(known.map(\.stringValue))
    let container = try decoder.container(keyedBy: AnyMember.self)
    if let unknown = container.allKeys.first(where: { !names.contains($0.stringValue) }) {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [unknown], debugDescription: "unknown member"))
    }
}

extension DecodingError {
    /// The member at fault and what is wrong, with no value quoted (Foundation's descriptions may quote one).
    var fieldError: FieldError {
        // A member is named only when it looks like a member name: a file may key its objects by personal data.
        func name(_ key: any CodingKey) -> String {
            if let index = key.intValue { return String(index) }
            let text = key.stringValue
            return text.utf8.count <= 40 && text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) ? text : "(a member)"
        }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "line" : codingPath.map(name).joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context):
            return FieldError(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return FieldError(field: path(context.codingPath), message: "has the wrong type")
        case .dataCorrupted(let context):
            if context.debugDescription == "unknown member" {
                return FieldError(field: path(context.codingPath), message: "is not a member the import knows")
            }
            return context.codingPath.isEmpty
                ? FieldError(field: "line", message: "is not valid JSON")
                : FieldError(field: path(context.codingPath), message: "is not valid")
        @unknown default:
            return FieldError(field: "line", message: "could not be read")
        }
    }
}
