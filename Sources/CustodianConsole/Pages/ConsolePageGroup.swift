import CustodianCore
import CustodianStore
import Foundation

/// What every group of console pages works with: the renderer, the guard, the database and the settings.
struct ConsolePages: Sendable {
    let renderer: ConsoleRenderer
    let guardian: ConsoleGuard
    let database: Database
    let configuration: ConsoleConfiguration
}

/// A group of console pages (the inbox and a request's page, the subject pages, …), registered together.
protocol ConsolePageGroup: Sendable {
    var shared: ConsolePages { get }
}

extension ConsolePageGroup {
    var renderer: ConsoleRenderer { shared.renderer }
    var guardian: ConsoleGuard { shared.guardian }
    var database: Database { shared.database }
    var configuration: ConsoleConfiguration { shared.configuration }

    /// How the signed-in user's pages write dates, periods and messages.
    func format(_ signedIn: SignedInRequest) -> ConsoleFormat {
        ConsoleFormat(timeZone: configuration.timeZone, catalogue: renderer.catalogue, language: signedIn.language)
    }

    /// The controller's today.
    var today: CalendarDate { CalendarDate(Date(), in: configuration.timeZone) }
}
