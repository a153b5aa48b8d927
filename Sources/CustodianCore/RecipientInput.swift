/// A validated new recipient of personal data.
public struct NewRecipient: Sendable {
    public let code: String
    public let name: String
    public let kind: RecipientKind
    /// Nil only for a manual recipient.
    public let baseURL: String?
    public let apiToken: String?
    public let signingSecret: StandardWebhooksSecret
    public let country: String
    public let countryAdequate: Bool
    public let dataCategories: [DataCategory]
    public let deliveryMode: DeliveryMode
    /// How the DPO reaches a manual recipient (an address, a form); free text.
    public let contact: String?
    public let language: TaskLanguage

    public init(
        code: String, name: String, kind: RecipientKind, baseURL: String?, apiToken: String?, signingSecret: String?,
        country: String, countryAdequate: Bool, dataCategories: [DataCategory], policy: OutboundAddressPolicy,
        deliveryMode: DeliveryMode = .api, contact: String? = nil, language: TaskLanguage = .ru
    ) throws(ValidationFailure) {
        var errors: [FieldError] = []
        self.code = code
        let codeIsValid = (2...64).contains(code.utf8.count) && code.first.map { $0.isASCII && $0.isLowercase } == true
            && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
        if !codeIsValid { errors.append(FieldError(field: "code", message: "must be 2 to 64 characters of a-z, 0-9, _ and -, starting with a letter")) }
        var fields = RecipientFieldValidator(policy: policy)
        self.name = fields.name(name)
        self.kind = kind
        self.baseURL = baseURL.map { fields.baseURL($0) }
        self.deliveryMode = deliveryMode
        self.contact = contact.map { fields.contact($0) }
        self.language = language
        errors += DeliveryMode.problems(deliveryMode, kind: kind, hasBaseURL: baseURL != nil, hasContact: contact != nil)
        self.apiToken = apiToken.map { fields.apiToken($0) }
        if let signingSecret {
            if let secret = StandardWebhooksSecret(signingSecret) {
                self.signingSecret = secret
            } else {
                errors.append(FieldError(field: "signing_secret", message: "must be whsec_ followed by base64 of 24 to 64 bytes"))
                self.signingSecret = .generate()
            }
        } else {
            self.signingSecret = .generate()
        }
        self.country = fields.country(country)
        self.countryAdequate = countryAdequate
        self.dataCategories = Array(Set(dataCategories)).sorted { $0.rawValue < $1.rawValue }
        errors += fields.errors
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// A validated change of a recipient; nil fields stay as they are. `active: false` deactivates it.
public struct RecipientChanges: Sendable {
    public let name: String?
    public let baseURL: String?
    public let apiToken: String?
    public let country: String?
    public let countryAdequate: Bool?
    public let dataCategories: [DataCategory]?
    public let active: Bool?
    public let contact: String?
    public let language: TaskLanguage?
    /// Switches between API and manual delivery; checked against the recipient as it will be
    /// (``DeliveryMode/problems(_:kind:hasBaseURL:hasContact:)``) when applied.
    public let deliveryMode: DeliveryMode?

    public init(
        name: String?, baseURL: String?, apiToken: String?, country: String?, countryAdequate: Bool?,
        dataCategories: [DataCategory]?, active: Bool?, policy: OutboundAddressPolicy, contact: String? = nil, language: TaskLanguage? = nil,
        deliveryMode: DeliveryMode? = nil
    ) throws(ValidationFailure) {
        var fields = RecipientFieldValidator(policy: policy)
        self.contact = contact.map { fields.contact($0) }
        self.language = language
        self.deliveryMode = deliveryMode
        self.name = name.map { fields.name($0) }
        self.baseURL = baseURL.map { fields.baseURL($0) }
        self.apiToken = apiToken.map { fields.apiToken($0) }
        self.country = country.map { fields.country($0) }
        self.countryAdequate = countryAdequate
        self.dataCategories = dataCategories.map { Array(Set($0)).sorted { $0.rawValue < $1.rawValue } }
        self.active = active
        var errors = fields.errors
        if name == nil, baseURL == nil, apiToken == nil, country == nil, countryAdequate == nil, dataCategories == nil, active == nil,
           contact == nil, language == nil, deliveryMode == nil {
            errors.append(FieldError(field: "body", message: "must contain at least one field to change"))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// The field rules shared by new recipients and their changes.
struct RecipientFieldValidator {
    let policy: OutboundAddressPolicy
    var errors: [FieldError] = []

    init(policy: OutboundAddressPolicy) {
        self.policy = policy
    }

    mutating func name(_ raw: String) -> String {
        let value = raw.trimmingWhitespace()
        if value.isEmpty || value.unicodeScalars.count > 200 { errors.append(FieldError(field: "name", message: "must be 1 to 200 characters")) }
        return value
    }

    mutating func baseURL(_ raw: String) -> String {
        switch policy.validateBaseURL(raw) {
        case .success(let url): return url
        case .failure(let error):
            errors.append(error)
            return raw
        }
    }

    mutating func contact(_ raw: String) -> String {
        let value = raw.trimmingWhitespace()
        if value.isEmpty || value.unicodeScalars.count > 500 || value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            errors.append(FieldError(field: "contact", message: "must be 1 to 500 characters on one line"))
        }
        return value
    }

    mutating func apiToken(_ raw: String) -> String {
        if raw.isEmpty || raw.utf8.count > 4096 || raw.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            errors.append(FieldError(field: "api_token", message: "must be 1 to 4096 visible ASCII characters"))
        }
        return raw
    }

    mutating func country(_ raw: String) -> String {
        let value = raw.uppercased()
        if !CountryCode.isValid(value) { errors.append(FieldError(field: "country", message: "must be an ISO 3166-1 alpha-2 code such as RU")) }
        return value
    }
}
