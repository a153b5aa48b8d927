/// Checks the shape of an e-mail address. Addresses are stored as given (trimmed) and compared case-insensitively.
public enum EmailAddress {
    /// The trimmed address, or a message saying what is wrong with it.
    public static func normalise(_ raw: String) -> Result<String, FieldError> {
        let email = raw.trimmingWhitespace()
        func invalid(_ message: String) -> Result<String, FieldError> { .failure(FieldError(field: "email", message: message)) }
        guard !email.isEmpty else { return invalid("must not be empty") }
        guard email.utf8.count <= 254 else { return invalid("must be at most 254 bytes") }
        guard email.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            return invalid("must not contain spaces or control characters")
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return invalid("must contain exactly one @") }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { return invalid("must have a local part of 1 to 64 bytes") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            return invalid("must have a domain such as example.com")
        }
        guard !domain.contains(where: { "()<>[]\\,;:\"".contains($0) }) else {
            return invalid("must have a domain such as example.com")
        }
        return .success(email)
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    public func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
