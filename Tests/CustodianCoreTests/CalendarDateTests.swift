import CustodianCore
import Foundation
import Testing

@Suite("Calendar dates")
struct CalendarDateTests {
    func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    @Test("day numbers round-trip across leap years, centuries and the epoch")
    func dayNumbers() {
        #expect(date("1970-01-01").dayNumber == 0)
        #expect(date("2000-03-01").dayNumber - date("2000-02-28").dayNumber == 2, "2000 is a leap year")
        #expect(date("2100-03-01").dayNumber - date("2100-02-28").dayNumber == 1, "2100 is not")
        for number in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDate(dayNumber: number).dayNumber == number)
        }
    }

    @Test("weekdays: 1 January 2026 is a Thursday, 1 May 2027 a Saturday")
    func weekdays() {
        #expect(date("2026-01-01").isoWeekday == 4)
        #expect(date("2027-05-01").isoWeekday == 6)
        #expect(date("2027-05-01").isWeekend)
        #expect(date("1969-12-31").isoWeekday == 3)
    }

    @Test("adding months keeps the date or clamps to the month's last day")
    func months() {
        #expect(date("2026-01-31").adding(months: 1) == date("2026-02-28"))
        #expect(date("2028-01-31").adding(months: 1) == date("2028-02-29"))
        #expect(date("2026-03-31").adding(months: 1) == date("2026-04-30"))
        #expect(date("2026-12-15").adding(months: 1) == date("2027-01-15"))
        #expect(date("2026-11-30").adding(months: 3) == date("2027-02-28"))
    }

    @Test("ISO text: only real days in YYYY-MM-DD")
    func parsing() {
        #expect(CalendarDate(iso: "2026-02-29") == nil)
        #expect(CalendarDate(iso: "2026-13-01") == nil)
        #expect(CalendarDate(iso: "2026-1-01") == nil)
        #expect(CalendarDate(iso: "2028-02-29")?.description == "2028-02-29")
    }

    @Test("the date of an instant depends on the time zone")
    func instants() {
        let instant = Date(timeIntervalSince1970: 1_798_750_800)  // 2026-12-31T21:00:00Z
        #expect(CalendarDate(instant, in: TimeZone(identifier: "UTC")!) == date("2026-12-31"))
        #expect(CalendarDate(instant, in: TimeZone(identifier: "Europe/Moscow")!) == date("2027-01-01"))
    }
}
