/// A validated new purpose of processing.
public struct NewPurpose: Sendable, Equatable {
    public var code: String
    public var title: String
    public var description: String
    public var legalBasis: LegalBasis
    public var requiresConsent: Bool
    public var retentionDays: Int
    public var recipientKinds: [RecipientKind]
    public var dataCategories: [DataCategory]

    /// Validates every field at once; a purpose on the consent basis always requires consent.
    public init(
        code: String, title: String, description: String?, legalBasis: LegalBasis, requiresConsent: Bool?,
        retentionDays: Int, recipientKinds: [RecipientKind]?, dataCategories: [DataCategory]?
    ) throws(ValidationFailure) {
        var errors: [FieldError] = []
        let codeIsValid = (2...64).contains(code.utf8.count)
            && code.first.map { $0.isASCII && $0.isLowercase } == true
            && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
        if !codeIsValid {
            errors.append(FieldError(field: "code", message: "must be 2 to 64 characters of a-z, 0-9 and _, starting with a letter"))
        }
        var texts = PurposeTextValidator()
        self.code = code
        self.title = texts.title(title)
        self.description = texts.description(description ?? "")
        self.legalBasis = legalBasis
        self.requiresConsent = requiresConsent ?? (legalBasis == .consent)
        if legalBasis == .consent, !self.requiresConsent {
            errors.append(FieldError(field: "requires_consent", message: "must be true for a purpose on the consent basis"))
        }
        self.retentionDays = retentionDays
        errors += texts.errors + PurposeTextValidator.retention(retentionDays)
        self.recipientKinds = Array(Set(recipientKinds ?? [])).sorted { $0.rawValue < $1.rawValue }
        self.dataCategories = Array(Set(dataCategories ?? [])).sorted { $0.rawValue < $1.rawValue }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// A validated change of a purpose: nil fields stay as they are.
public struct PurposeChanges: Sendable, Equatable {
    public var title: String?
    public var description: String?
    public var retentionDays: Int?
    public var recipientKinds: [RecipientKind]?
    public var dataCategories: [DataCategory]?
    /// true retires the purpose, false brings it back.
    public var retired: Bool?

    public init(
        title: String?, description: String?, retentionDays: Int?, recipientKinds: [RecipientKind]?,
        dataCategories: [DataCategory]?, retired: Bool?
    ) throws(ValidationFailure) {
        var texts = PurposeTextValidator()
        self.title = title.map { texts.title($0) }
        self.description = description.map { texts.description($0) }
        self.retentionDays = retentionDays
        self.recipientKinds = recipientKinds.map { Array(Set($0)).sorted { $0.rawValue < $1.rawValue } }
        self.dataCategories = dataCategories.map { Array(Set($0)).sorted { $0.rawValue < $1.rawValue } }
        self.retired = retired
        var errors = texts.errors + (retentionDays.map(PurposeTextValidator.retention) ?? [])
        if title == nil, description == nil, retentionDays == nil, recipientKinds == nil, dataCategories == nil, retired == nil {
            errors.append(FieldError(field: "body", message: "must contain at least one field to change"))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// The text rules shared by new purposes and their changes.
struct PurposeTextValidator {
    var errors: [FieldError] = []

    mutating func title(_ raw: String) -> String {
        let value = raw.trimmingWhitespace()
        if value.isEmpty || value.unicodeScalars.count > 200 { errors.append(FieldError(field: "title", message: "must be 1 to 200 characters")) }
        return value
    }

    mutating func description(_ raw: String) -> String {
        let value = raw.trimmingWhitespace()
        if value.unicodeScalars.count > 2000 { errors.append(FieldError(field: "description", message: "must be at most 2000 characters")) }
        return value
    }

    static func retention(_ days: Int) -> [FieldError] {
        (0...36500).contains(days) ? [] : [FieldError(field: "retention_days", message: "must be from 0 to 36500")]
    }
}
