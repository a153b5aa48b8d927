import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// One count in a series of the dashboard: when (the start of its day, week or hour), what, how many.
public struct DashboardCount: Sendable, Equatable {
    public let bucket: String
    public let series: String
    public let count: Int
}

/// The figures behind the console's dashboard, read from indexes and the rollup tables only (migration 0019).
public struct ConsoleDashboard: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Requests received and closed (completed, denied, cancelled or, a claim, answered) per week (the Monday, ISO) since `since`.
    public func requestsPerWeek(since: CalendarDate) async throws -> [DashboardCount] {
        try await counts("""
            SELECT date_trunc('week', received_on)::date::text, 'received', count(*)::int FROM subject_requests
            WHERE received_on >= \(since.description)::date GROUP BY 1
            UNION ALL
            SELECT date_trunc('week', controller_day(occurred_at))::date::text, 'closed', count(*)::int FROM subject_request_events
            WHERE status IN ('completed', 'denied', 'cancelled', 'answered') AND occurred_at >= \(since.description)::date - 1
              AND controller_day(occurred_at) >= \(since.description)::date
            GROUP BY 1
            """)
    }

    /// The median number of days from receipt to closing, of the requests closed since `since`; nil when none was.
    public func medianDaysToClose(since: CalendarDate) async throws -> Double? {
        try await database.query("""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY controller_day(e.occurred_at) - r.received_on)::float8
            FROM subject_request_events e JOIN subject_requests r ON r.id = e.request_id
            WHERE e.status IN ('completed', 'denied', 'cancelled', 'answered') AND e.occurred_at >= \(since.description)::date - 1
              AND controller_day(e.occurred_at) >= \(since.description)::date
            """).decode(Double?.self).first(where: { _ in true }) ?? nil
    }

    /// Open requests past their due date on `today`.
    public func overdue(today: CalendarDate) async throws -> Int {
        try await database.query("""
            SELECT count(*)::int FROM subject_requests WHERE status IN ('received', 'in_progress') AND due_on < \(today.description)::date
            """).decode(Int.self).first(where: { _ in true }) ?? 0
    }

    /// Consent grants and withdrawals per day and purpose since `since`; the series is `purpose:action`.
    public func consentsPerDay(since: CalendarDate) async throws -> [DashboardCount] {
        try await counts("""
            SELECT day::text, purpose_code || ':' || action, sum(count)::int FROM consent_daily
            WHERE day >= \(since.description)::date GROUP BY day, purpose_code, action
            """)
    }

    /// Job attempts per hour (the bucket is the hour's start, ISO 8601 UTC) and outcome over the last `hours`.
    public func jobAttemptsPerHour(hours: Int) async throws -> [DashboardCount] {
        try await counts("""
            SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"'), outcome, sum(count)::int FROM job_attempt_hourly
            WHERE hour >= date_trunc('hour', now()) - make_interval(hours => \(hours - 1)::int) GROUP BY hour, outcome
            """)
    }

    /// Transfers (disclosures) per week and recipient code since `since`.
    public func transfersPerWeek(since: CalendarDate) async throws -> [DashboardCount] {
        try await counts("""
            SELECT t.week::text, r.code, sum(t.count)::int FROM transfer_weekly t JOIN recipients r ON r.id = t.recipient_id
            WHERE t.week >= date_trunc('week', \(since.description)::date)::date GROUP BY t.week, r.code
            """)
    }

    private func counts(_ query: PostgresQuery) async throws -> [DashboardCount] {
        var counts: [DashboardCount] = []
        for try await (bucket, series, count) in try await database.query(query).decode((String, String, Int).self) {
            counts.append(DashboardCount(bucket: bucket, series: series, count: count))
        }
        return counts
    }
}
