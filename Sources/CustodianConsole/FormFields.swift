import Foundation
import Hummingbird
import NIOCore

/// The fields of an `application/x-www-form-urlencoded` body (the console's forms); the first value of a repeated
/// name wins. A body over ``limit``, or a value with a control character other than tab and line breaks (PostgreSQL
/// text cannot hold U+0000), is refused with 400.
public struct FormFields: Sendable {
    public let values: [String: String]

    /// The largest form the console accepts.
    public static let limit = 64 * 1024

    public init(values: [String: String]) {
        self.values = values
    }

    public init(request: Request) async throws {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.limit)
        } catch is NIOTooManyBytesError {
            throw ConsoleFailure.badInput(messageKey: "error_form_too_large")
        }
        try self.init(encoded: String(buffer: body))
    }

    public init(encoded: String) throws {
        var values: [String: String] = [:]
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
            guard !(name + value).unicodeScalars.contains(where: Self.isForbidden) else {
                throw ConsoleFailure.badInput(messageKey: "error_form_control_characters")
            }
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    public subscript(_ name: String) -> String? {
        values[name]
    }

    /// The field trimmed; nil when missing or blank.
    public func trimmed(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F
    }

    private static func decode(_ component: Substring) -> String? {
        String(component).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
