/// What a subject asks for.
public enum SubjectRequestKind: String, Sendable, CaseIterable, Codable {
    case access
    case rectification
    case restriction
    case erasure
    case objection
}

/// A period the law gives, in the unit the law counts in.
public enum LegalPeriod: Sendable, Equatable {
    case workingDays(Int)
    case calendarDays(Int)
    case months(Int)

    /// The last day of the period for something received on `date` (counting starts the next day).
    public func due(after date: CalendarDate, calendar: WorkingCalendar) -> CalendarDate {
        switch self {
        case .workingDays(let count): return calendar.adding(workingDays: count, after: date)
        case .calendarDays(let count): return date.adding(days: count)
        case .months(let count): return date.adding(months: count)
        }
    }
}

/// How long the controller has to answer each kind of request, and the one extension the law allows.
///
/// 152-FZ: 10 working days to answer access, restriction and objection requests, extendable once by 5 working days
/// with a reason (Art. 14, 20, 21); 7 working days to rectify (Art. 21(2)), 30 days to stop processing and destroy
/// (Art. 21(5)); neither of the last two is extendable. GDPR: one month for every right (Art. 12(3)), extendable once
/// by two further months, the subject told with the reason within the first month. Counting starts on the day after
/// receipt; a GDPR month ends on the same date of the next month, or on its last day when that date does not exist.
public enum SubjectRequestDeadlines {
    public static func period(regime: RequestRegime, kind: SubjectRequestKind) -> LegalPeriod {
        switch regime {
        case .fz152:
            switch kind {
            case .access, .restriction, .objection: .workingDays(10)
            case .rectification: .workingDays(7)
            case .erasure: .calendarDays(30)
            }
        case .gdpr:
            switch kind {
            case .access, .rectification, .restriction, .erasure, .objection: .months(1)
            }
        }
    }

    /// The whole period once extended (the original period plus the one extension the law allows), or nil when the
    /// kind cannot be extended: 152-FZ 10 + 5 working days, GDPR 1 + 2 months, both counted from receipt.
    public static func extendedPeriod(regime: RequestRegime, kind: SubjectRequestKind) -> LegalPeriod? {
        switch regime {
        case .fz152:
            switch kind {
            case .access, .restriction, .objection: .workingDays(15)
            case .rectification, .erasure: nil
            }
        case .gdpr:
            switch kind {
            case .access, .rectification, .restriction, .erasure, .objection: .months(3)
            }
        }
    }

    /// The provision the period comes from, as the DPO cites it beside the due date.
    public static func article(regime: RequestRegime, kind: SubjectRequestKind) -> String {
        switch regime {
        case .fz152:
            switch kind {
            case .access: "Art. 14, 20(1)-(2) 152-FZ"
            case .rectification: "Art. 20(3), 21(2) 152-FZ"
            case .restriction: "Art. 21(1) 152-FZ"
            case .objection: "Art. 21(5.1) 152-FZ"
            case .erasure: "Art. 21(5) 152-FZ"
            }
        case .gdpr: "Art. 12(3) GDPR"
        }
    }

    /// The due date of a request received on `received`.
    public static func due(regime: RequestRegime, kind: SubjectRequestKind, received: CalendarDate, calendar: WorkingCalendar) -> CalendarDate {
        period(regime: regime, kind: kind).due(after: received, calendar: calendar)
    }

    /// Why an extension is refused.
    public enum ExtensionRefusal: Error, Equatable, Sendable {
        case notExtendable
        case alreadyExtended
        case tooLate(lastDay: CalendarDate)
        case reasonMissing
    }

    /// The new due date when a request received on `received` is extended on `today` for `reason`. The extension
    /// must be decided (and the subject told) before the original deadline has passed: on or before `due`.
    public static func extend(
        regime: RequestRegime, kind: SubjectRequestKind, received: CalendarDate, due: CalendarDate, alreadyExtended: Bool,
        today: CalendarDate, reason: String, calendar: WorkingCalendar
    ) -> Result<CalendarDate, ExtensionRefusal> {
        guard let extended = extendedPeriod(regime: regime, kind: kind) else { return .failure(.notExtendable) }
        guard !alreadyExtended else { return .failure(.alreadyExtended) }
        guard !reason.trimmingWhitespace().isEmpty else { return .failure(.reasonMissing) }
        guard today <= due else { return .failure(.tooLate(lastDay: due)) }
        return .success(extended.due(after: received, calendar: calendar))
    }
}
