import CustodianCore
import Foundation
import OpenAPIRuntime

/// The API's dates as RFC 3339 date-times (``RFC3339``): any of them read, written with milliseconds in UTC.
struct FlexibleISO8601DateTranscoder: DateTranscoder {
    init() {}

    /// What a value that is not an RFC 3339 date-time is refused with.
    static let invalidDateTime = "Expected an RFC 3339 date-time."

    func encode(_ date: Date) throws -> String {
        RFC3339.string(from: date)
    }

    func decode(_ string: String) throws -> Date {
        guard let date = RFC3339.date(from: string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: Self.invalidDateTime))
        }
        return date
    }
}
