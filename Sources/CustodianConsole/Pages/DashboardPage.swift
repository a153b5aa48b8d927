import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// The dashboard: requests per week with the median days to close and the overdue count, consent grants against
/// withdrawals per purpose per day, job attempts per hour, disclosures per recipient per week — inline SVG charts,
/// each with its data table, from the rollup tables.
struct DashboardPage: ConsolePageGroup {
    let shared: ConsolePages

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("dashboard") { request, _ in try await page(request) }
    }

    private func page(_ request: Request) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        let format = format(signedIn)
        let dashboard = ConsoleDashboard(database: database)
        let today = self.today
        let thisWeek = today.adding(days: 1 - today.isoWeekday)
        let weeks = (0..<12).map { thisWeek.adding(days: -7 * (11 - $0)) }
        let days = (0..<90).map { today.adding(days: $0 - 89) }

        let requests = try await dashboard.requestsPerWeek(since: weeks[0])
        let requestChart = BarChart(
            id: "requests", title: format.text("chart_requests"), xAxis: format.text("axis_week"), yAxis: format.text("axis_requests"),
            categories: weeks.map(\.description), labels: weeks.map { String($0.description.dropFirst(5)) },
            series: [
                series(requests, "received", format.text("series_received"), "bar-a", weeks.map(\.description)),
                series(requests, "closed", format.text("series_closed"), "bar-c", weeks.map(\.description)),
            ])
        let median = try await dashboard.medianDaysToClose(since: weeks[0])
        let overdue = try await dashboard.overdue(today: today)

        let consents = try await dashboard.consentsPerDay(since: days[0])
        let purposes = Set(consents.map { String($0.series.split(separator: ":")[0]) }).sorted()
        let consentCharts = purposes.map { purpose in
            BarChart(
                id: "consents-\(purpose)", title: "\(format.text("chart_consents")): \(purpose)", xAxis: format.text("axis_day"),
                yAxis: format.text("axis_events"), categories: days.map(\.description), labels: days.map { String($0.description.dropFirst(5)) },
                series: [
                    series(consents, "\(purpose):grant", format.text("consent_grant"), "bar-a", days.map(\.description)),
                    series(consents, "\(purpose):withdraw", format.text("consent_withdraw"), "bar-d", days.map(\.description), below: true),
                ])
        }

        let attempts = try await dashboard.jobAttemptsPerHour(hours: 48)
        let hours = (0..<48).map { offset -> Date in
            let now = Date().timeIntervalSince1970
            return Date(timeIntervalSince1970: (now / 3600).rounded(.down) * 3600 - Double(47 - offset) * 3600)
        }
        let iso = ISO8601DateFormatter()
        let hourKeys = hours.map { iso.string(from: $0) }
        let jobChart = BarChart(
            id: "jobs", title: format.text("chart_jobs"), xAxis: format.text("axis_hour"), yAxis: format.text("axis_attempts"),
            categories: hourKeys, labels: hours.map { String(format.time($0).suffix(5)) },
            series: [
                series(attempts, "succeeded", format.text("job_succeeded"), "bar-c", hourKeys),
                series(attempts, "retry", format.text("series_retried"), "bar-b", hourKeys, below: true),
                series(attempts, "failed", format.text("job_failed"), "bar-d", hourKeys, below: true),
            ])

        let transfers = try await dashboard.transfersPerWeek(since: weeks[0])
        let recipients = Set(transfers.map(\.series)).sorted()
        let classes = ["bar-a", "bar-b", "bar-c", "bar-d"]
        let transferChart = BarChart(
            id: "transfers", title: format.text("chart_transfers"), xAxis: format.text("axis_week"), yAxis: format.text("axis_transfers"),
            categories: weeks.map(\.description), labels: weeks.map { String($0.description.dropFirst(5)) },
            series: recipients.enumerated().map { index, code in
                series(transfers, code, code, classes[index % classes.count], weeks.map(\.description))
            })

        let view = DashboardView(
            requests: requestChart, median: median.map { String(format: "%.1f", $0) } ?? "—", overdue: overdue, anyOverdue: overdue > 0,
            consents: consentCharts, jobs: jobChart, transfers: transferChart)
        return renderer.page("dashboard", title: "dashboard_title", chrome: signedIn.chrome, page: view)
    }

    private func series(_ counts: [DashboardCount], _ key: String, _ name: String, _ cssClass: String, _ buckets: [String], below: Bool = false) -> BarChart.Series {
        let byBucket = Dictionary(counts.filter { $0.series == key }.map { ($0.bucket, $0.count) }, uniquingKeysWith: +)
        return BarChart.Series(name: name, cssClass: cssClass, values: buckets.map { byBucket[$0] ?? 0 }, below: below)
    }
}

/// The dashboard page.
struct DashboardView {
    let requests: BarChart
    let median: String
    let overdue: Int
    /// Stored for the template: a number is "true" in a Mustache section even when it is 0.
    let anyOverdue: Bool
    let consents: [BarChart]
    let jobs: BarChart
    let transfers: BarChart
}
