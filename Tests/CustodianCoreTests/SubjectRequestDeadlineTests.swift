import CustodianCore
import Testing

@Suite("Subject request deadlines")
struct SubjectRequestDeadlineTests {
    func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    /// The due date of a request received on `received` on the ground assumed for its kind.
    func due(_ regime: RequestRegime, _ kind: SubjectRequestKind, _ ground: RequestGround? = nil, received: CalendarDate) -> CalendarDate {
        SubjectRequestDeadlines.rule(regime: regime, kind: kind, ground: ground ?? RequestGround.assumed(for: kind))!.period
            .due(after: received, calendar: russia)
    }

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
        #expect(due(.fz152, .access, received: date("2026-11-02")) == date("2026-11-17"))
        // Received on a Saturday: the count starts on Monday.
        #expect(due(.fz152, .access, received: date("2026-10-03")) == date("2026-10-16"))
    }

    @Test("152-FZ over New Year: the holidays from 31 December to 11 January do not count")
    func newYear() {
        // Received Wednesday 30 December 2026: 31 Dec and 1, 4–8 Jan 2027 are off; working days 11–15, 18–22 January.
        #expect(due(.fz152, .access, received: date("2026-12-30")) == date("2027-01-22"))
        // Received 31 December 2025: 1–11 January 2026 are off; working days 12–16 and 19–20 January.
        #expect(due(.fz152, .rectification, received: date("2025-12-31")) == date("2026-01-20"))
    }

    @Test("152-FZ: rectification 7 working days, erasure after a withdrawal 30 calendar days, another objection 10 working days")
    func otherKinds() {
        #expect(due(.fz152, .rectification, received: date("2026-06-10")) == date("2026-06-22"))
        #expect(due(.fz152, .erasure, received: date("2026-06-10")) == date("2026-07-10"))
        #expect(due(.fz152, .objection, received: date("2026-06-10")) == date("2026-06-25"))
    }

    @Test("GDPR: one month, clamped at month ends, whatever the holidays")
    func gdprMonths() {
        #expect(due(.gdpr, .access, received: date("2026-01-31")) == date("2026-02-28"))
        #expect(due(.gdpr, .erasure, received: date("2026-12-31")) == date("2027-01-31"))
        #expect(due(.gdpr, .rectification, received: date("2026-03-15")) == date("2026-04-15"))
    }

    @Test("152-FZ extension: once, with a reason, before the deadline passes, to 15 working days from receipt")
    func fz152Extension() {
        let received = date("2026-11-02")
        let due = date("2026-11-17")
        let extend = { (today: String, already: Bool, reason: String) in
            SubjectRequestDeadlines.extend(
                rule: SubjectRequestDeadlines.rule(regime: .fz152, kind: .access, ground: nil)!, received: received, due: due,
                alreadyExtended: already, today: self.date(today), reason: reason, calendar: self.russia)
        }
        #expect(extend("2026-11-10", false, "archive search") == .success(date("2026-11-24")))
        #expect(extend("2026-11-17", false, "archive search") == .success(date("2026-11-24")), "the last day still counts")
        #expect(extend("2026-11-18", false, "archive search") == .failure(.tooLate(lastDay: due)))
        #expect(extend("2026-11-10", true, "again") == .failure(.alreadyExtended))
        #expect(extend("2026-11-10", false, "  ") == .failure(.reasonMissing))
        #expect(SubjectRequestDeadlines.extend(
            rule: SubjectRequestDeadlines.rule(regime: .fz152, kind: .rectification, ground: .inaccurate)!, received: received, due: due,
            alreadyExtended: false, today: received, reason: "r", calendar: russia) == .failure(.notExtendable))
    }

    @Test("GDPR extension: two further months counted from receipt, decided within the first month")
    func gdprExtension() {
        let received = date("2026-01-31")
        let due = date("2026-02-28")
        let gdprErasure = SubjectRequestDeadlines.rule(regime: .gdpr, kind: .erasure, ground: .consentWithdrawn)!
        let extended = SubjectRequestDeadlines.extend(
            rule: gdprErasure, received: received, due: due, alreadyExtended: false, today: date("2026-02-20"), reason: "complex",
            calendar: russia)
        #expect(extended == .success(date("2026-04-30")), "31 January + 3 months, not 28 February + 2 months")
        let late = SubjectRequestDeadlines.extend(
            rule: gdprErasure, received: received, due: due, alreadyExtended: false, today: date("2026-03-01"), reason: "complex",
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

    /// Every (regime, kind, ground) with its due date for receipts on Wednesday 10 June 2026 (12 June a holiday),
    /// Wednesday 30 December 2026 (New Year), Tuesday 3 November 2026 (4 November a holiday) and Saturday 31 January
    /// 2026 (a month end), its extension and its provision.
    @Test("the deadline of every regime, kind and ground, across weekends, holidays, New Year and month ends")
    func everyGround() throws {
        struct Row {
            let regime: RequestRegime, kind: SubjectRequestKind, ground: RequestGround?
            let june: String, newYear: String, november: String, monthEnd: String
            let extendable: Bool, article: String
        }
        let rows: [Row] = [
            Row(regime: .fz152, kind: .access, ground: nil, june: "2026-06-25", newYear: "2027-01-22", november: "2026-11-18", monthEnd: "2026-02-13", extendable: true, article: "Art. 14(3), 20(1)-(2) 152-FZ"),
            Row(regime: .fz152, kind: .rectification, ground: .inaccurate, june: "2026-06-22", newYear: "2027-01-19", november: "2026-11-13", monthEnd: "2026-02-10", extendable: false, article: "Art. 20(3), 21(2) 152-FZ"),
            Row(regime: .fz152, kind: .restriction, ground: .inaccurate, june: "2026-06-22", newYear: "2027-01-19", november: "2026-11-13", monthEnd: "2026-02-10", extendable: false, article: "Art. 21(1)-(2) 152-FZ"),
            Row(regime: .fz152, kind: .restriction, ground: .unlawful, june: "2026-06-16", newYear: "2027-01-13", november: "2026-11-09", monthEnd: "2026-02-04", extendable: false, article: "Art. 21(3) 152-FZ"),
            Row(regime: .fz152, kind: .erasure, ground: .unlawful, june: "2026-06-22", newYear: "2027-01-19", november: "2026-11-13", monthEnd: "2026-02-10", extendable: false, article: "Art. 20(3) 152-FZ"),
            Row(regime: .fz152, kind: .erasure, ground: .notNecessary, june: "2026-06-22", newYear: "2027-01-19", november: "2026-11-13", monthEnd: "2026-02-10", extendable: false, article: "Art. 20(3) 152-FZ"),
            Row(regime: .fz152, kind: .erasure, ground: .consentWithdrawn, june: "2026-07-10", newYear: "2027-01-29", november: "2026-12-03", monthEnd: "2026-03-02", extendable: false, article: "Art. 21(5) 152-FZ"),
            Row(regime: .fz152, kind: .erasure, ground: .purposeAchieved, june: "2026-07-10", newYear: "2027-01-29", november: "2026-12-03", monthEnd: "2026-03-02", extendable: false, article: "Art. 21(4) 152-FZ"),
            Row(regime: .fz152, kind: .objection, ground: .directMarketing, june: "2026-06-10", newYear: "2026-12-30", november: "2026-11-03", monthEnd: "2026-01-31", extendable: false, article: "Art. 15(2) 152-FZ, Art. 18(1) 38-FZ"),
            Row(regime: .fz152, kind: .objection, ground: .other, june: "2026-06-25", newYear: "2027-01-22", november: "2026-11-18", monthEnd: "2026-02-13", extendable: true, article: "Art. 21(5.1) 152-FZ"),
            Row(regime: .gdpr, kind: .objection, ground: .directMarketing, june: "2026-06-10", newYear: "2026-12-30", november: "2026-11-03", monthEnd: "2026-01-31", extendable: false, article: "Art. 21(3) GDPR"),
        ] + [RequestRegime.fz152, .gdpr].map {
            Row(regime: $0, kind: .claim, ground: nil, june: "2026-07-10", newYear: "2027-01-29", november: "2026-12-03", monthEnd: "2026-03-02", extendable: false, article: "the shop's privacy policy §8.2 (pre-trial claim)")
        } + [(SubjectRequestKind.access, RequestGround?.none), (.rectification, .inaccurate), (.restriction, .inaccurate), (.restriction, .unlawful),
             (.erasure, .consentWithdrawn), (.erasure, .unlawful), (.erasure, .notNecessary), (.erasure, .purposeAchieved), (.objection, .other)].map {
            Row(regime: .gdpr, kind: $0.0, ground: $0.1, june: "2026-07-10", newYear: "2027-01-30", november: "2026-12-03", monthEnd: "2026-02-28", extendable: true, article: "Art. 12(3) GDPR")
        }
        // Every allowed combination has its row, and nothing else has a rule.
        for regime in RequestRegime.allCases {
            for kind in SubjectRequestKind.allCases {
                for ground in [RequestGround?.none] + RequestGround.allCases.map(Optional.some) {
                    let allowed = ground.map { RequestGround.allowed(for: kind).contains($0) } ?? RequestGround.allowed(for: kind).isEmpty
                    #expect((SubjectRequestDeadlines.rule(regime: regime, kind: kind, ground: ground) != nil) == allowed)
                    #expect(rows.contains { $0.regime == regime && $0.kind == kind && $0.ground == ground } == allowed, "\(regime) \(kind) \(String(describing: ground))")
                }
            }
        }
        for row in rows {
            let rule = SubjectRequestDeadlines.rule(regime: row.regime, kind: row.kind, ground: row.ground)!
            let name = "\(row.regime) \(row.kind) \(row.ground?.rawValue ?? "-")"
            #expect(rule.period.due(after: date("2026-06-10"), calendar: russia) == date(row.june), "\(name) in June")
            #expect(rule.period.due(after: date("2026-12-30"), calendar: russia) == date(row.newYear), "\(name) over New Year")
            #expect(rule.period.due(after: date("2026-11-03"), calendar: russia) == date(row.november), "\(name) over 4 November")
            #expect(rule.period.due(after: date("2026-01-31"), calendar: russia) == date(row.monthEnd), "\(name) at a month end")
            #expect((rule.extended != nil) == row.extendable, "\(name) extension")
            #expect(rule.article == row.article, "\(name) article")
            // Only 152-FZ Art. 21(3) sets a second date: 10 working days to destroy what cannot be made lawful.
            if row.regime == .fz152, row.kind == .restriction, row.ground == .unlawful {
                let followUp = try #require(rule.followUp)
                #expect(followUp.period.due(after: date("2026-06-10"), calendar: russia) == date("2026-06-25"))
                #expect(followUp.period.due(after: date("2026-12-30"), calendar: russia) == date("2027-01-22"))
                #expect(followUp.period.due(after: date("2026-11-03"), calendar: russia) == date("2026-11-18"))
            } else {
                #expect(rule.followUp == nil, "\(name) has one date")
            }
            let extended = SubjectRequestDeadlines.extend(
                rule: rule, received: date("2026-06-10"), due: rule.period.due(after: date("2026-06-10"), calendar: russia),
                alreadyExtended: false, today: date("2026-06-10"), reason: "documents requested", calendar: russia)
            if row.extendable {
                #expect((try? extended.get()).map { $0 > date(row.june) } == true, "\(name) extends")
            } else {
                #expect(extended == .failure(.notExtendable), "\(name) refuses an extension")
            }
        }
    }
}
