import Foundation

/// RFC 3339 date-times: any of them read — with or without fractional seconds, `T`, `t` or a space between date and
/// time, `Z`, `z` or any offset up to ±23:59, a leap second read as :59 —; written with milliseconds (truncated) in UTC.
/// Both directions are plain arithmetic on the proleptic Gregorian calendar (``CalendarDate``), as PostgreSQL counts
/// (Foundation's calendar switches to the Julian one before 1582), with no `Calendar` or format style made per value.
/// OpenDSR's timestamps and the API's are written so.
public enum RFC3339 {
    /// `date` as `YYYY-MM-DDTHH:MM:SS.mmmZ`: the instant to the microsecond (PostgreSQL's precision, and what a
    /// decoded `.123` must stay despite binary fractions), then milliseconds rounded down.
    public static func string(from date: Date) -> String {
        // Only SQL can store an instant beyond years 0...9999 (PostgreSQL reaches 294276, and `infinity`): written
        // as Foundation writes it, since the arithmetic below would overflow or print a malformed year.
        let seconds = date.timeIntervalSinceReferenceDate
        guard seconds.magnitude < 1e12 else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        let microseconds = Int((seconds * 1_000_000).rounded()) + 978_307_200_000_000
        let (days, millisecondOfDay) = microseconds.floorDividedBy(1000).quotient.floorDividedBy(86_400_000)
        let civil = CalendarDate(dayNumber: days)
        guard (0...9999).contains(civil.year) else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        let secondOfDay = millisecondOfDay / 1000
        var text = ""
        text.reserveCapacity(24)
        func append(_ value: Int, width: Int) {
            let digits = String(value)
            if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
            text += digits
        }
        append(civil.year, width: 4); text += "-"; append(civil.month, width: 2); text += "-"; append(civil.day, width: 2); text += "T"
        append(secondOfDay / 3600, width: 2); text += ":"; append(secondOfDay / 60 % 60, width: 2); text += ":"
        append(secondOfDay % 60, width: 2); text += "."; append(millisecondOfDay % 1000, width: 3); text += "Z"
        return text
    }

    /// The instant `text` names, or nil when it is not an RFC 3339 date-time.
    public static func date(from text: String) -> Date? {
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
        guard let civil = CalendarDate(year: year, month: month, day: day) else { return nil }
        let seconds = civil.dayNumber * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + fraction)
    }
}

extension Int {
    /// Quotient and remainder rounded towards minus infinity (the remainder is never negative).
    fileprivate func floorDividedBy(_ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}
