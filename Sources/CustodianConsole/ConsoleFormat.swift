import CustodianCore
import Foundation

/// How the console writes dates, periods and personal data: times in the controller's time zone, personal data
/// masked on lists.
struct ConsoleFormat: Sendable {
    let timeZone: TimeZone
    let catalogue: MessageCatalogue
    let language: ConsoleLanguage

    func time(_ date: Date?) -> String {
        guard let date else { return "" }
        var style = Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: timeZone, calendar: Calendar(identifier: .gregorian))
        style.locale = Locale(identifier: "en_US_POSIX")
        return date.formatted(style)
    }

    func text(_ key: String) -> String {
        catalogue.text(key, language)
    }

    /// A message with `{n}` replaced.
    func text(_ key: String, _ number: Int) -> String {
        text(key).replacingOccurrences(of: "{n}", with: String(number))
    }

    func period(_ period: LegalPeriod) -> String {
        switch period {
        case .workingDays(let count): text("period_working_days", count)
        case .calendarDays(let count): text("period_calendar_days", count)
        case .months(let count): text("period_months", count)
        case .immediately: text("period_immediately")
        }
    }

    /// "i***@example.com": the first character of the mailbox and the domain.
    static func maskEmail(_ email: String?) -> String {
        guard let email, let at = email.firstIndex(of: "@") else { return email == nil ? "" : "***" }
        return "\(email.prefix(1))***\(email[at...])"
    }

    /// "+7***4567": the country code's first digits and the last four.
    static func maskPhone(_ phone: String?) -> String {
        guard let phone else { return "" }
        return phone.count > 6 ? "\(phone.prefix(2))***\(phone.suffix(4))" : "***"
    }

    /// "И***": the first letter only.
    static func maskName(_ name: String?) -> String {
        guard let name, let first = name.first else { return "" }
        return "\(first)***"
    }
}
