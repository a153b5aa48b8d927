import Foundation

/// A consent text to register, validated: the document itself (152-FZ Art. 9 as amended by 156-FZ, in force since
/// 1 September 2025: consent is a document of its own, not a clause of the policy) and the purposes it asks consent
/// for. Whether those purposes exist and rest on consent is checked against the catalogue when it is stored.
public struct NewConsentText: Sendable, Equatable {
    public let document: PublishedDocument
    /// Purpose codes, distinct, in the order given.
    public let purposes: [String]

    public init(label: String, url: String, textSHA256: String, effectiveAt: Date, purposes: [String]) throws(ValidationFailure) {
        var errors: [FieldError] = []
        var document: PublishedDocument?
        do throws(ValidationFailure) {
            document = try PublishedDocument(label: label, url: url, textSHA256: textSHA256, effectiveAt: effectiveAt)
        } catch {
            errors += error.errors
        }
        if purposes.isEmpty || purposes.count > 50 || Set(purposes).count != purposes.count {
            errors.append(FieldError(field: "purposes", message: "must name 1 to 50 distinct purposes"))
        }
        guard errors.isEmpty, let document else { throw ValidationFailure(errors) }
        self.document = document
        self.purposes = purposes
    }
}

/// The consent text a consent event names, as the rules judge it (whether any text is registered at all is in
/// ``ConsentContext``).
public struct ConsentTextFacts: Sendable, Equatable {
    public let label: String
    /// Whether the text asks consent for the event's purpose.
    public let coversPurpose: Bool
    public let effectiveAt: Date

    public init(label: String, coversPurpose: Bool, effectiveAt: Date) {
        self.label = label
        self.coversPurpose = coversPurpose
        self.effectiveAt = effectiveAt
    }
}

/// The consent text a receipt names for a purpose: which document the customer was shown.
public struct ConsentTextReference: Codable, Sendable, Equatable {
    public let label: String
    public let url: String
    public let sha256: String

    public init(label: String, url: String, sha256: String) {
        self.label = label
        self.url = url
        self.sha256 = sha256
    }
}
