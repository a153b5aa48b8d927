import CustodianCore
import Testing

@Suite("Subject request deadlines")
struct SubjectRequestDeadlineTests {
    func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    /// The Russian production calendar of 2026 and the start of 2027 (as Migrations/0010 seeds it).
    var russia: WorkingCalendar {
        WorkingCalendar(nonWorkingDays: Set([
            "2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-02-23",
            "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
            "2027-01-01", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08",
        ].map(date)))
    }

    @Test("152-FZ access: 10 working days counted from the day after receipt, skipping weekends")
    func accessOverWeekends() {
        // Received Monday 2 November 2026; 4 November is a holiday.
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .access, received: date("2026-11-02"), calendar: russia) == date("2026-11-17"))
        // Received on a Saturday: the count starts on Monday.
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .access, received: date("2026-10-03"), calendar: russia) == date("2026-10-16"))
    }

    @Test("152-FZ over New Year: the holidays from 31 December to 11 January do not count")
    func newYear() {
        // Received Wednesday 30 December 2026: 31 Dec and 1, 4–8 Jan 2027 are off; working days 11–15, 18–22 January.
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .access, received: date("2026-12-30"), calendar: russia) == date("2027-01-22"))
        // Received 31 December 2025: 1–11 January 2026 are off; working days 12–16 and 19–20 January.
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .rectification, received: date("2025-12-31"), calendar: russia) == date("2026-01-20"))
    }

    @Test("152-FZ: rectification 7 working days, erasure 30 calendar days")
    func otherKinds() {
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .rectification, received: date("2026-06-10"), calendar: russia) == date("2026-06-22"))
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .erasure, received: date("2026-06-10"), calendar: russia) == date("2026-07-10"))
        #expect(SubjectRequestDeadlines.due(regime: .fz152, kind: .objection, received: date("2026-06-10"), calendar: russia) == date("2026-06-25"))
    }

    @Test("GDPR: one month, clamped at month ends, whatever the holidays")
    func gdprMonths() {
        #expect(SubjectRequestDeadlines.due(regime: .gdpr, kind: .access, received: date("2026-01-31"), calendar: russia) == date("2026-02-28"))
        #expect(SubjectRequestDeadlines.due(regime: .gdpr, kind: .erasure, received: date("2026-12-31"), calendar: russia) == date("2027-01-31"))
        #expect(SubjectRequestDeadlines.due(regime: .gdpr, kind: .rectification, received: date("2026-03-15"), calendar: russia) == date("2026-04-15"))
    }

    @Test("152-FZ extension: once, with a reason, before the deadline passes, to 15 working days from receipt")
    func fz152Extension() {
        let received = date("2026-11-02")
        let due = date("2026-11-17")
        let extend = { (today: String, already: Bool, reason: String) in
            SubjectRequestDeadlines.extend(
                regime: .fz152, kind: .access, received: received, due: due, alreadyExtended: already, today: self.date(today), reason: reason,
                calendar: self.russia)
        }
        #expect(extend("2026-11-10", false, "archive search") == .success(date("2026-11-24")))
        #expect(extend("2026-11-17", false, "archive search") == .success(date("2026-11-24")), "the last day still counts")
        #expect(extend("2026-11-18", false, "archive search") == .failure(.tooLate(lastDay: due)))
        #expect(extend("2026-11-10", true, "again") == .failure(.alreadyExtended))
        #expect(extend("2026-11-10", false, "  ") == .failure(.reasonMissing))
        #expect(SubjectRequestDeadlines.extend(
            regime: .fz152, kind: .rectification, received: received, due: due, alreadyExtended: false, today: received, reason: "r",
            calendar: russia) == .failure(.notExtendable))
    }

    @Test("GDPR extension: two further months counted from receipt, decided within the first month")
    func gdprExtension() {
        let received = date("2026-01-31")
        let due = date("2026-02-28")
        let extended = SubjectRequestDeadlines.extend(
            regime: .gdpr, kind: .erasure, received: received, due: due, alreadyExtended: false, today: date("2026-02-20"), reason: "complex",
            calendar: russia)
        #expect(extended == .success(date("2026-04-30")), "31 January + 3 months, not 28 February + 2 months")
        let late = SubjectRequestDeadlines.extend(
            regime: .gdpr, kind: .erasure, received: received, due: due, alreadyExtended: false, today: date("2026-03-01"), reason: "complex",
            calendar: russia)
        #expect(late == .failure(.tooLate(lastDay: due)))
    }

    @Test("exchanged working Saturdays count, moved days off do not")
    func workingSaturday() {
        let calendar = WorkingCalendar(nonWorkingDays: [date("2027-11-05")], workingWeekendDays: [date("2027-11-13")])
        #expect(calendar.isWorkingDay(date("2027-11-13")))
        #expect(!calendar.isWorkingDay(date("2027-11-05")))
        // Received Thursday 4 Nov 2027, Friday 5 off: Mon 8 … Fri 12, Sat 13, Mon 15 … Thu 18 is the 10th working day.
        #expect(calendar.adding(workingDays: 10, after: date("2027-11-04")) == date("2027-11-18"))
    }
}
