import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func listCalendarDays(_ input: Operations.ListCalendarDays.Input) async throws -> Operations.ListCalendarDays.Output {
        let year = input.query.year
        guard (2000...2100).contains(year) else { throw Problem.validation([FieldError(field: "year", message: "must be from 2000 to 2100")]) }
        let days = try await CalendarRepository(database: database).days(year: year)
        return .ok(.init(body: .json(.init(items: try days.map(Components.Schemas.CalendarDay.init)))))
    }

    func setCalendarDay(_ input: Operations.SetCalendarDay.Input) async throws -> Operations.SetCalendarDay.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let day = try Self.calendarDate(input.path.day, field: "day")
        let kind: CalendarDayKind = try body.kind.mapped()
        let entry: CalendarDayEntry
        do {
            entry = try CalendarDayEntry(day: day, kind: kind, note: body.note ?? "")
        } catch {
            throw Problem.validation(error.errors)
        }
        let record = try await CalendarRepository(database: database).set(day: entry.day, kind: entry.kind, note: entry.note, actor: RequestScope.actor)
        return .ok(.init(body: .json(try .init(record))))
    }

    func deleteCalendarDay(_ input: Operations.DeleteCalendarDay.Input) async throws -> Operations.DeleteCalendarDay.Output {
        let day = try Self.calendarDate(input.path.day, field: "day")
        guard try await CalendarRepository(database: database).remove(day: day, actor: RequestScope.actor) else {
            throw Problem(type: .notFound, detail: "The calendar has no entry for this day.")
        }
        return .noContent(.init())
    }

    /// A date parameter, or 422 naming `field` when it is not a real `YYYY-MM-DD` date.
    static func calendarDate(_ text: String, field: String) throws -> CalendarDate {
        guard let day = CalendarDate(iso: text) else { throw Problem.validation([FieldError(field: field, message: "must be a date as YYYY-MM-DD")]) }
        return day
    }
}

extension Components.Schemas.CalendarDay {
    init(_ record: CalendarDayRecord) throws {
        self.init(day: record.day.description, kind: try record.kind.mapped(), note: record.note, updatedAt: record.updatedAt)
    }
}
