/// Validated evidence of how a consent choice was made: the truncated IP address, user agent and form.
public struct ConsentEvidence: Sendable, Equatable {
    /// Truncated (IPv4 /24, IPv6 /48).
    public let ipAddress: String?
    public let userAgent: String?
    public let formID: String?

    public init(ipAddress: String?, userAgent: String?, formID: String?) throws(ValidationFailure) {
        var errors: [FieldError] = []
        if let ipAddress {
            self.ipAddress = IPAddressTruncation.truncate(ipAddress)
            if self.ipAddress == nil {
                errors.append(FieldError(field: "evidence.ip_address", message: "must be an IPv4 or IPv6 address"))
            }
        } else {
            self.ipAddress = nil
        }
        self.userAgent = Self.text(userAgent, field: "evidence.user_agent", maxLength: 1000, errors: &errors)
        self.formID = Self.text(formID, field: "evidence.form_id", maxLength: 200, errors: &errors)
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// `maxLength` counts code points, as JSON Schema does.
    private static func text(_ raw: String?, field: String, maxLength: Int, errors: inout [FieldError]) -> String? {
        guard let raw else { return nil }
        let value = raw.trimmingWhitespace()
        if value.unicodeScalars.count > maxLength {
            errors.append(FieldError(field: field, message: "must be at most \(maxLength) characters"))
        } else if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            errors.append(FieldError(field: field, message: "must not contain control characters"))
        }
        return value.isEmpty ? nil : value
    }
}
