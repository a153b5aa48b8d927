import Foundation

/// A document the shop publishes and customers are shown, validated: a version of the privacy policy, or a consent
/// text (152-FZ Art. 9 as amended by 156-FZ: consent is a document of its own). Which one the customer saw is proved by
/// its label, URL and the SHA-256 of its text.
public struct PublishedDocument: Sendable, Equatable {
    public let label: String
    public let url: String
    /// Lowercase hex.
    public let textSHA256: String
    public let effectiveAt: Date

    public init(label: String, url: String, textSHA256: String, effectiveAt: Date) throws(ValidationFailure) {
        var errors: [FieldError] = []
        self.label = label.trimmingWhitespace()
        if self.label.isEmpty || self.label.unicodeScalars.count > 64 || self.label.contains(where: { $0.isNewline }) {
            errors.append(FieldError(field: "label", message: "must be 1 to 64 characters on one line"))
        }
        self.url = url.trimmingWhitespace()
        let lowercasedURL = self.url.lowercased()
        let hasScheme = lowercasedURL.hasPrefix("https://") || lowercasedURL.hasPrefix("http://")
        if !hasScheme || self.url.unicodeScalars.count > 2000 || self.url.contains(where: { $0.isWhitespace }) || URL(string: self.url)?.host == nil {
            errors.append(FieldError(field: "url", message: "must be an http or https URL of at most 2000 characters"))
        }
        self.textSHA256 = textSHA256.lowercased()
        if self.textSHA256.utf8.count != 64 || !self.textSHA256.allSatisfy({ $0.isASCII && $0.isHexDigit }) {
            errors.append(FieldError(field: "text_sha256", message: "must be 64 hexadecimal characters"))
        }
        self.effectiveAt = effectiveAt
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
