package import Foundation
package import OpenAPIRuntime

/// Reads RFC 3339 dates with or without fractional seconds (and with any offset); writes them with milliseconds in UTC.
package struct FlexibleISO8601DateTranscoder: DateTranscoder {
    package init() {}

    package func encode(_ date: Date) throws -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    package func decode(_ string: String) throws -> Date {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(string) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(string) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time."))
    }
}
