import CustodianCore
import CustodianStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The production calendar: seeded by the migration, edited by the DPO, read back as deadlines count in it.
@Suite("Production calendar")
struct CalendarTests {
    @Test("the 2026 calendar is seeded: New Year to 9 January, the moved days off, 31 December")
    func seeded() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let response = try await app.request(.get, "/v1/calendar-days?year=2026", key: dpo)
            #expect(response.status == .ok)
            let items = try #require(try response.jsonObject()["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["day"] as? String } == [
                "2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-02-23",
                "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
            ])
            #expect(items.allSatisfy { $0["kind"] as? String == "non_working" })
        }
    }

    @Test("a DPO adds a working Saturday and a day off, changes and removes them; deadlines follow; each change is audited")
    func edit() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let saturday = try await app.request(.put, "/v1/calendar-days/2027-11-13", key: dpo, json: #"{"kind":"working","note":"for 5 November"}"#)
            #expect(saturday.status == .ok)
            #expect(try saturday.jsonObject()["note"] as? String == "for 5 November")
            let friday = try await app.request(.put, "/v1/calendar-days/2027-11-05", key: dpo, json: #"{"kind":"non_working"}"#)
            #expect(friday.status == .ok)
            let renamed = try await app.request(.put, "/v1/calendar-days/2027-11-05", key: dpo, json: #"{"kind":"non_working","note":"moved"}"#)
            #expect(try renamed.jsonObject()["note"] as? String == "moved")

            let calendar = try await CalendarRepository(database: app.database).workingCalendar()
            #expect(calendar.isWorkingDay(CalendarDate(iso: "2027-11-13")!))
            #expect(!calendar.isWorkingDay(CalendarDate(iso: "2027-11-05")!))
            // Received Thursday 4 November 2027 (a holiday): Mon 8 … Fri 12, Sat 13, Mon 15 … Thu 18.
            #expect(SubjectRequestDeadlines.rule(regime: .fz152, kind: .access, ground: nil)?.period.due(after: CalendarDate(iso: "2027-11-04")!, calendar: calendar)
                == CalendarDate(iso: "2027-11-18"))

            #expect(try await app.request(.delete, "/v1/calendar-days/2027-11-13", key: dpo).status == .noContent)
            #expect(try await app.request(.delete, "/v1/calendar-days/2027-11-13", key: dpo).status == .notFound)
            let year = try await app.request(.get, "/v1/calendar-days?year=2027", key: dpo).jsonObject()["items"] as? [[String: Any]]
            #expect(year?.contains { $0["day"] as? String == "2027-11-13" } == false)
            #expect(year?.contains { $0["day"] as? String == "2027-11-05" } == true)
            let audited = try await app.database.query(
                "SELECT count(*) FROM audit_log WHERE action IN ('calendar_day.set', 'calendar_day.delete')").collect().first?.decode(Int.self)
            #expect(audited == 4)
        }
    }

    @Test("entries that mean nothing, impossible dates and out-of-range years get 422 and change nothing")
    func refused() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let before = try await app.rowCount("calendar_days")
            for (path, body) in [
                ("/v1/calendar-days/2026-11-09", #"{"kind":"working"}"#),  // a Monday is a working day already
                ("/v1/calendar-days/2026-11-07", #"{"kind":"non_working"}"#),  // a Saturday is a day off already
                ("/v1/calendar-days/2026-02-30", #"{"kind":"non_working"}"#),
                ("/v1/calendar-days/2026-11-10", #"{"kind":"holiday"}"#),
                ("/v1/calendar-days/2026-11-10", "{\"kind\":\"non_working\",\"note\":\"\(String(repeating: "x", count: 201))\"}"),
            ] {
                let response = try await app.request(.put, path, key: dpo, json: body)
                #expect(response.status == .unprocessableContent, "\(path)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            #expect(try await app.request(.get, "/v1/calendar-days?year=1999", key: dpo).status == .unprocessableContent)
            #expect(try await app.request(.get, "/v1/calendar-days", key: dpo).status == .badRequest)
            #expect(try await app.request(.delete, "/v1/calendar-days/someday", key: dpo).status == .unprocessableContent)
            #expect(try await app.rowCount("calendar_days") == before)
        }
    }
}
