import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// What the console's inbox filters open requests by; nil matches any.
public struct InboxFilter: Sendable, Equatable {
    public var kind: SubjectRequestKind?
    public var status: SubjectRequestStatus?
    public var regime: RequestRegime?

    public init(kind: SubjectRequestKind? = nil, status: SubjectRequestStatus? = nil, regime: RequestRegime? = nil) {
        self.kind = kind
        self.status = status
        self.regime = regime
    }
}

/// The inbox: open requests by due date, and how many open requests each filter value has.
public struct InboxPage: Sendable {
    public let requests: [SubjectRequestRecord]
    /// Open requests per value of each filter (the whole inbox, not only the filtered page).
    public let kindCounts: [String: Int]
    public let statusCounts: [String: Int]
    public let regimeCounts: [String: Int]
}

/// The reads behind the console's inbox (open subject requests), from the partial index on open requests.
public struct ConsoleInbox: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Open requests matching `filter`, soonest due first, at most `limit`, with the counts per filter value.
    public func page(_ filter: InboxFilter, limit: Int) async throws -> InboxPage {
        let requests = try await SubjectRequestRepository.decode(database.query("""
            SELECT \(unescaped: SubjectRequestRepository.columns) FROM subject_requests
            WHERE status IN ('received', 'in_progress')
              AND (\(filter.kind?.rawValue)::text IS NULL OR kind = \(filter.kind?.rawValue))
              AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
              AND (\(filter.regime?.rawValue)::text IS NULL OR regime = \(filter.regime?.rawValue))
            ORDER BY due_on, id
            LIMIT \(limit)
            """), keys: try database.requireKeys())
        var kinds: [String: Int] = [:], statuses: [String: Int] = [:], regimes: [String: Int] = [:]
        for try await (kind, status, regime, count) in try await database.query("""
            SELECT kind, status, regime, count(*)::int FROM subject_requests WHERE status IN ('received', 'in_progress')
            GROUP BY kind, status, regime
            """).decode((String, String, String, Int).self) {
            kinds[kind, default: 0] += count
            statuses[status, default: 0] += count
            regimes[regime, default: 0] += count
        }
        return InboxPage(requests: requests, kindCounts: kinds, statusCounts: statuses, regimeCounts: regimes)
    }

    /// Every request about one subject, newest first.
    public func requests(subjectID: UUID, limit: Int) async throws -> [SubjectRequestRecord] {
        try await SubjectRequestRepository.decode(database.query("""
            SELECT \(unescaped: SubjectRequestRepository.columns) FROM subject_requests WHERE subject_id = \(subjectID)
            ORDER BY received_at DESC LIMIT \(limit)
            """), keys: try database.requireKeys())
    }
}
