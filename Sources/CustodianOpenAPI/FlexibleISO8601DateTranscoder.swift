package import Foundation
package import OpenAPIRuntime

/// Reads any RFC 3339 date-time — with or without fractional seconds, `T`, `t` or a space between date and time,
/// `Z`, `z` or any offset up to ±23:59, a leap second read as :59 —; writes them with milliseconds (truncated) in UTC.
/// Both directions are plain arithmetic on the proleptic Gregorian calendar, as PostgreSQL counts (Foundation's
/// calendar switches to the Julian one before 1582), with no `Calendar` or format style made per value.
package struct FlexibleISO8601DateTranscoder: DateTranscoder {
    package init() {}

    /// What a value that is not an RFC 3339 date-time is refused with.
    package static let invalidDateTime = "Expected an RFC 3339 date-time."

    package func encode(_ date: Date) throws -> String {
        Self.format(date)
    }

    /// `date` as `YYYY-MM-DDTHH:MM:SS.mmmZ`: the instant to the microsecond (PostgreSQL's precision, and what a
    /// decoded `.123` must stay despite binary fractions), then milliseconds rounded down.
    static func format(_ date: Date) -> String {
        // Only SQL can store an instant beyond years 0...9999 (PostgreSQL reaches 294276, and `infinity`): written
        // as Foundation writes it, since the arithmetic below would overflow or print a malformed year.
        let seconds = date.timeIntervalSinceReferenceDate
        guard seconds.magnitude < 1e12 else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        let microseconds = Int((seconds * 1_000_000).rounded()) + 978_307_200_000_000
        let (days, millisecondOfDay) = microseconds.floorDividedBy(1000).quotient.floorDividedBy(86_400_000)
        let (year, month, day) = CivilDay.date(fromDaysSinceEpoch: days)
        guard (0...9999).contains(year) else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        let secondOfDay = millisecondOfDay / 1000
        var text = ""
        text.reserveCapacity(24)
        func append(_ value: Int, width: Int) {
            let digits = String(value)
            if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
            text += digits
        }
        append(year, width: 4); text += "-"; append(month, width: 2); text += "-"; append(day, width: 2); text += "T"
        append(secondOfDay / 3600, width: 2); text += ":"; append(secondOfDay / 60 % 60, width: 2); text += ":"
        append(secondOfDay % 60, width: 2); text += "."; append(millisecondOfDay % 1000, width: 3); text += "Z"
        return text
    }

    package func decode(_ string: String) throws -> Date {
        guard let date = Self.parse(string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: Self.invalidDateTime))
        }
        return date
    }

    /// The instant `text` names, or nil when it is not an RFC 3339 date-time.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, range.allSatisfy({ (48...57).contains(bytes[$0]) }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(bytes[$1] - 48) }
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45, let day = number(8..<10),
              [84, 116, 32].contains(bytes[10]), let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16),
              bytes[16] == 58, let second = number(17..<19),
              (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == 46 {
            let start = index + 1
            index = start
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start, let digits = String(bytes: bytes[start..<index], encoding: .ascii) else { return nil }
            fraction = Double("0." + digits) ?? 0
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case 90, 122:
            guard index + 1 == bytes.count else { return nil }
        case 43, 45:
            guard index + 6 == bytes.count, let offsetHours = number(index + 1..<index + 3), bytes[index + 3] == 58, let offsetMinutes = number(index + 4..<index + 6),
                  (0...23).contains(offsetHours), (0...59).contains(offsetMinutes)
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == 45 ? -1 : 1)
        default:
            return nil
        }
        guard day >= 1, day <= CivilDay.length(ofMonth: month, year: year) else { return nil }
        let days = CivilDay.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + fraction)
    }
}

/// Days of the proleptic Gregorian calendar counted from 1970-01-01 (H. Hinnant's civil-date algorithms).
enum CivilDay {
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(fromDaysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func length(ofMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Int {
    /// Quotient and remainder rounded towards minus infinity (the remainder is never negative).
    fileprivate func floorDividedBy(_ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}
