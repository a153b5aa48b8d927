/// A validated, normalised new data subject, ready to store.
public struct NewSubject: Sendable, Equatable {
    public var externalRef: String
    public var fullName: String
    public var email: String?
    public var phone: String?
    public var registrationAddress: String?
    public var locale: String
    /// Whether the subject holds an account with the shop (the account and support purposes keep its data while it
    /// does); a newsletter-only subscriber holds none. True when the shop does not say.
    public var hasAccount: Bool

    /// The locale used when the shop sends none.
    public static let defaultLocale = "ru-RU"

    /// Validates every field at once; throws ``ValidationFailure`` listing each invalid one.
    public init(
        externalRef: String, fullName: String, email: String?, phone: String?,
        registrationAddress: String?, locale: String?, hasAccount: Bool? = nil
    ) throws(ValidationFailure) {
        var validator = SubjectFieldValidator()
        self.hasAccount = hasAccount ?? true
        self.externalRef = validator.externalRef(externalRef)
        self.fullName = validator.fullName(fullName)
        self.email = email.map { validator.email($0) }
        self.phone = phone.map { validator.phone($0) }
        self.registrationAddress = registrationAddress.map { validator.registrationAddress($0) }
        self.locale = locale.map { validator.locale($0) } ?? Self.defaultLocale
        try validator.finish()
    }
}

/// A validated correction of a data subject: nil fields stay as they are, cleared ones are emptied.
public struct SubjectChanges: Sendable, Equatable {
    /// The optional members a correction may clear (an e-mail, a phone or an address the customer no longer has).
    public enum Clearable: String, Sendable, CaseIterable {
        case email, phone
        case registrationAddress = "registration_address"
    }

    public var externalRef: String?
    public var fullName: String?
    public var email: String?
    public var phone: String?
    public var registrationAddress: String?
    public var locale: String?
    public var hasAccount: Bool?
    public var cleared: Set<Clearable>

    /// Validates every given field at once; throws ``ValidationFailure`` listing each invalid one.
    public init(
        externalRef: String?, fullName: String?, email: String?, phone: String?,
        registrationAddress: String?, locale: String?, hasAccount: Bool? = nil, clearing cleared: Set<Clearable> = []
    ) throws(ValidationFailure) {
        var validator = SubjectFieldValidator()
        self.hasAccount = hasAccount
        self.externalRef = externalRef.map { validator.externalRef($0) }
        self.fullName = fullName.map { validator.fullName($0) }
        self.email = email.map { validator.email($0) }
        self.phone = phone.map { validator.phone($0) }
        self.registrationAddress = registrationAddress.map { validator.registrationAddress($0) }
        self.locale = locale.map { validator.locale($0) }
        self.cleared = cleared
        if [externalRef, fullName, email, phone, registrationAddress, locale].allSatisfy({ $0 == nil }), hasAccount == nil, cleared.isEmpty {
            validator.errors.append(FieldError(field: "body", message: "must contain at least one field to correct"))
        }
        try validator.finish()
    }
}

/// Collects the field errors of one subject input.
struct SubjectFieldValidator {
    var errors: [FieldError] = []

    mutating func externalRef(_ raw: String) -> String {
        text(raw, field: "external_ref", maxLength: 128, allowNewlines: false)
    }

    mutating func fullName(_ raw: String) -> String {
        text(raw, field: "full_name", maxLength: 300, allowNewlines: false)
    }

    mutating func registrationAddress(_ raw: String) -> String {
        text(raw, field: "registration_address", maxLength: 1000, allowNewlines: true)
    }

    mutating func email(_ raw: String) -> String {
        record(EmailAddress.normalise(raw), fallback: raw)
    }

    mutating func phone(_ raw: String) -> String {
        record(PhoneNumber.normalise(raw), fallback: raw)
    }

    mutating func locale(_ raw: String) -> String {
        let pattern = raw.split(separator: "-", omittingEmptySubsequences: false)
        let valid = raw.utf8.count <= 35
            && pattern.first.map { (2...3).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isLetter } } == true
            && pattern.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
        if !valid { errors.append(FieldError(field: "locale", message: "must be a BCP 47 language tag such as ru-RU")) }
        return raw
    }

    func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    private mutating func record(_ result: Result<String, FieldError>, fallback: String) -> String {
        switch result {
        case .success(let value): return value
        case .failure(let error):
            errors.append(error)
            return fallback
        }
    }

    /// `maxLength` counts code points, as JSON Schema does.
    private mutating func text(_ raw: String, field: String, maxLength: Int, allowNewlines: Bool) -> String {
        let value = raw.trimmingWhitespace()
        if value.isEmpty {
            errors.append(FieldError(field: field, message: "must not be empty"))
        } else if value.unicodeScalars.count > maxLength {
            errors.append(FieldError(field: field, message: "must be at most \(maxLength) characters"))
        } else if value.unicodeScalars.contains(where: { isForbiddenControl($0, allowNewlines: allowNewlines) }) {
            errors.append(FieldError(field: field, message: "must not contain control characters"))
        }
        return value
    }

    private func isForbiddenControl(_ scalar: Unicode.Scalar, allowNewlines: Bool) -> Bool {
        if allowNewlines, scalar == "\n" || scalar == "\r" || scalar == "\t" { return false }
        return scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
