/// Which days are working days: Monday to Friday, except the listed non-working days (public holidays and days off
/// moved onto weekdays), plus the listed working weekend days (a Saturday worked in exchange). This is the shape of
/// the Russian production calendar; the `calendar_days` table holds it and the DPO edits it.
public struct WorkingCalendar: Sendable, Equatable {
    public let nonWorkingDays: Set<CalendarDate>
    public let workingWeekendDays: Set<CalendarDate>

    public init(nonWorkingDays: Set<CalendarDate> = [], workingWeekendDays: Set<CalendarDate> = []) {
        self.nonWorkingDays = nonWorkingDays
        self.workingWeekendDays = workingWeekendDays
    }

    public func isWorkingDay(_ date: CalendarDate) -> Bool {
        if workingWeekendDays.contains(date) { return true }
        return !date.isWeekend && !nonWorkingDays.contains(date)
    }

    /// The `count`-th working day after `date`: counting starts on the next day, as for a request received on `date`.
    public func adding(workingDays count: Int, after date: CalendarDate) -> CalendarDate {
        precondition(count >= 0, "working days are counted forward")
        var current = date
        var remaining = count
        while remaining > 0 {
            current = current.adding(days: 1)
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }
}

/// What an entry of the production calendar says about its day.
public enum CalendarDayKind: String, Sendable, CaseIterable {
    /// A weekday off: a public holiday or a day off moved onto a weekday.
    case nonWorking = "non_working"
    /// A Saturday or Sunday worked in exchange for a day off elsewhere.
    case working

    /// Whether an entry of this kind means anything on `date`: only exceptions are stored.
    public func applies(to date: CalendarDate) -> Bool {
        self == .working ? date.isWeekend : !date.isWeekend
    }
}

/// A production-calendar exception to store, validated: the kind must mean something on that day (a working
/// Saturday or Sunday, or a weekday off) and the note is at most 200 characters.
public struct CalendarDayEntry: Sendable, Equatable {
    public let day: CalendarDate
    public let kind: CalendarDayKind
    /// Trimmed.
    public let note: String

    public init(day: CalendarDate, kind: CalendarDayKind, note: String) throws(ValidationFailure) {
        var errors: [FieldError] = []
        if !kind.applies(to: day) {
            errors.append(FieldError(
                field: "kind", message: kind == .working ? "only a Saturday or Sunday can be a working day" : "Saturday and Sunday are days off already"))
        }
        let note = note.trimmingWhitespace()
        if note.unicodeScalars.count > 200 { errors.append(FieldError(field: "note", message: "must be at most 200 characters")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        self.day = day
        self.kind = kind
        self.note = note
    }
}
