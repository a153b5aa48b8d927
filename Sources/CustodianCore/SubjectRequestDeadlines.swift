/// What a subject asks for.
public enum SubjectRequestKind: String, Sendable, CaseIterable, Codable {
    case access
    case rectification
    case restriction
    case erasure
    case objection
    /// A pre-trial claim (претензия): answered, not carried out (the shop's policy, seeds/004 §8.2).
    case claim
}

/// A period the law gives, in the unit the law counts in.
public enum LegalPeriod: Sendable, Equatable, CustomStringConvertible {
    case workingDays(Int)
    case calendarDays(Int)
    case months(Int)
    /// The day of receipt itself.
    case immediately

    /// The last day of the period for something received on `date` (counting starts the next day).
    public func due(after date: CalendarDate, calendar: WorkingCalendar) -> CalendarDate {
        switch self {
        case .workingDays(let count): return calendar.adding(workingDays: count, after: date)
        case .calendarDays(let count): return date.adding(days: count)
        case .months(let count): return date.adding(months: count)
        case .immediately: return date
        }
    }

    /// In English, as the API states it: "10 working days", "30 calendar days", "1 month", "immediately".
    public var description: String {
        switch self {
        case .workingDays(let count): "\(count) working days"
        case .calendarDays(let count): "\(count) calendar days"
        case .months(let count): count == 1 ? "1 month" : "\(count) months"
        case .immediately: "immediately"
        }
    }
}

/// The rule a due date follows: the period, the whole period once extended (nil: the law allows no extension), and
/// the provisions it comes from, as the DPO cites them.
public struct DeadlineRule: Sendable, Equatable {
    public let period: LegalPeriod
    public let extended: LegalPeriod?
    public let article: String
    /// A second date the same rule sets, also counted from receipt; nil for most rules.
    public var followUp: FollowUpDeadline? = nil

    /// "7 working days, Art. 20(3), 21(2) 152-FZ": the period in force (`extended` once extended) and the provisions.
    public func summary(extended isExtended: Bool) -> String {
        "\((isExtended ? extended : nil) ?? period), \(article)"
    }
}

/// The second stage of a two-stage rule: 152-FZ Art. 21(3) gives 3 working days to stop unlawful processing, then 10
/// working days to destroy what cannot be made lawful. Counted from receipt, the earliest the unlawfulness can have
/// been found, so the date is never later than the law's.
public struct FollowUpDeadline: Sendable, Equatable {
    public let period: LegalPeriod
    /// What must be done by then, in English.
    public let action: String
}

/// How long the controller has to answer each kind of request on each ground, and the one extension the law allows
/// (`../shared/REFERENCE.md`, "Deadlines by legal ground"; docs/deadlines.md).
///
/// 152-FZ: access 10 working days, once +5 with a reasoned notice (Art. 14(3), 20(1)-(2)); rectification of
/// inaccurate data 7 working days (Art. 20(3), 21(2)); restriction while inaccuracy is verified 7 working days
/// (Art. 21(1)-(2)), and of unlawful processing 3 working days to stop it (then 10 to destroy what cannot be made
/// lawful, Art. 21(3)); destruction of data obtained unlawfully or not necessary 7 working days (Art. 20(3)), after a
/// withdrawal of consent or once the purpose is achieved 30 days (Art. 21(5), 21(4)); an objection to direct marketing
/// at once (Art. 15(2)), any other demand to stop 10 working days, once +5 (Art. 21(5.1)). GDPR: one month for every
/// right, extendable once by two further months (Art. 12(3)), except an objection to direct marketing, which takes
/// effect at once (Art. 21(3)). A pre-trial claim is answered within 30 calendar days under either regime, as the shop's
/// policy promises (seeds/004 §8.2). Counting starts on the day after receipt; a GDPR month ends on the same date of the next
/// month, or on its last day when that date does not exist.
public enum SubjectRequestDeadlines {
    /// The rule for a request; nil when `ground` is not one ``RequestGround/allowed(for:)`` lists for `kind`.
    /// Exhaustive over (regime, kind, ground): a new kind or ground does not compile until it has its rule.
    public static func rule(regime: RequestRegime, kind: SubjectRequestKind, ground: RequestGround?) -> DeadlineRule? {
        switch (regime, kind, ground) {
        case (.fz152, .access, nil):
            DeadlineRule(period: .workingDays(10), extended: .workingDays(15), article: "Art. 14(3), 20(1)-(2) 152-FZ")
        case (.fz152, .rectification, .inaccurate?):
            DeadlineRule(period: .workingDays(7), extended: nil, article: "Art. 20(3), 21(2) 152-FZ")
        case (.fz152, .restriction, .inaccurate?):
            DeadlineRule(period: .workingDays(7), extended: nil, article: "Art. 21(1)-(2) 152-FZ")
        case (.fz152, .restriction, .unlawful?):
            DeadlineRule(
                period: .workingDays(3), extended: nil, article: "Art. 21(3) 152-FZ",
                followUp: FollowUpDeadline(period: .workingDays(10), action: "destroy the data that cannot be made lawful"))
        case (.fz152, .erasure, .unlawful?), (.fz152, .erasure, .notNecessary?):
            DeadlineRule(period: .workingDays(7), extended: nil, article: "Art. 20(3) 152-FZ")
        case (.fz152, .erasure, .consentWithdrawn?):
            DeadlineRule(period: .calendarDays(30), extended: nil, article: "Art. 21(5) 152-FZ")
        case (.fz152, .erasure, .purposeAchieved?):
            DeadlineRule(period: .calendarDays(30), extended: nil, article: "Art. 21(4) 152-FZ")
        case (.fz152, .objection, .directMarketing?):
            DeadlineRule(period: .immediately, extended: nil, article: "Art. 15(2) 152-FZ, Art. 18(1) 38-FZ")
        case (.fz152, .objection, .other?):
            DeadlineRule(period: .workingDays(10), extended: .workingDays(15), article: "Art. 21(5.1) 152-FZ")
        case (.gdpr, .objection, .directMarketing?):
            DeadlineRule(period: .immediately, extended: nil, article: "Art. 21(3) GDPR")
        case (.fz152, .claim, nil), (.gdpr, .claim, nil):
            DeadlineRule(period: .calendarDays(30), extended: nil, article: "the shop's privacy policy §8.2 (pre-trial claim)")
        case (.gdpr, .access, nil), (.gdpr, .rectification, .inaccurate?), (.gdpr, .restriction, .inaccurate?),
             (.gdpr, .restriction, .unlawful?), (.gdpr, .erasure, .consentWithdrawn?), (.gdpr, .erasure, .unlawful?),
             (.gdpr, .erasure, .notNecessary?), (.gdpr, .erasure, .purposeAchieved?), (.gdpr, .objection, .other?):
            DeadlineRule(period: .months(1), extended: .months(3), article: "Art. 12(3) GDPR")
        // Grounds a kind does not take, and kinds that need one named without it.
        case (_, .access, .some), (_, .claim, .some),
             (_, .rectification, nil), (_, .rectification, .unlawful?), (_, .rectification, .consentWithdrawn?),
             (_, .rectification, .notNecessary?), (_, .rectification, .purposeAchieved?), (_, .rectification, .directMarketing?),
             (_, .rectification, .other?),
             (_, .restriction, nil), (_, .restriction, .consentWithdrawn?), (_, .restriction, .notNecessary?),
             (_, .restriction, .purposeAchieved?), (_, .restriction, .directMarketing?), (_, .restriction, .other?),
             (_, .erasure, nil), (_, .erasure, .inaccurate?), (_, .erasure, .directMarketing?), (_, .erasure, .other?),
             (_, .objection, nil), (_, .objection, .inaccurate?), (_, .objection, .unlawful?), (_, .objection, .consentWithdrawn?),
             (_, .objection, .notNecessary?), (_, .objection, .purposeAchieved?):
            nil
        }
    }

    /// Why an extension is refused.
    public enum ExtensionRefusal: Error, Equatable, Sendable {
        case notExtendable
        case alreadyExtended
        case tooLate(lastDay: CalendarDate)
        case reasonMissing
    }

    /// The new due date when a request under `rule`, received on `received`, is extended on `today` for `reason`. The
    /// extension must be decided (and the subject told) before the original deadline has passed: on or before `due`.
    public static func extend(
        rule: DeadlineRule, received: CalendarDate, due: CalendarDate, alreadyExtended: Bool,
        today: CalendarDate, reason: String, calendar: WorkingCalendar
    ) -> Result<CalendarDate, ExtensionRefusal> {
        guard let extended = rule.extended else { return .failure(.notExtendable) }
        guard !alreadyExtended else { return .failure(.alreadyExtended) }
        guard !reason.trimmingWhitespace().isEmpty else { return .failure(.reasonMissing) }
        guard today <= due else { return .failure(.tooLate(lastDay: due)) }
        return .success(extended.due(after: received, calendar: calendar))
    }
}
