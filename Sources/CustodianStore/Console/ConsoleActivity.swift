import CustodianDatabase
import Foundation
import PostgresNIO

/// Jobs finished in a recent window, per kind and final state.
public struct JobThroughput: Sendable, Equatable {
    public let kind: String
    public let state: String
    public let count: Int
}

/// One audit row as the console shows it: the console user named by e-mail.
public struct AuditTrailEntry: Sendable, Equatable {
    public let event: AuditEvent
    public let userEmail: String?
}

/// The console's reads of recent activity that no repository answers: job throughput, and audited console events.
public struct ConsoleActivity: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Jobs that finished (succeeded, failed, cancelled) within the last `seconds`, per kind and state.
    public func throughput(lastSeconds seconds: Int) async throws -> [JobThroughput] {
        var rows: [JobThroughput] = []
        for try await (kind, state, count) in try await database.query("""
            SELECT kind, state, count(*)::int FROM (
                -- Succeeded jobs through their partial index on finished_at; failed and cancelled ones are few.
                SELECT kind, state FROM jobs WHERE state = 'succeeded' AND finished_at > now() - make_interval(secs => \(seconds))
                UNION ALL
                SELECT kind, state FROM jobs WHERE state IN ('failed', 'cancelled') AND finished_at > now() - make_interval(secs => \(seconds))
            ) finished
            GROUP BY kind, state ORDER BY kind, state
            """).decode((String, String, Int).self) {
            rows.append(JobThroughput(kind: kind, state: state, count: count))
        }
        return rows
    }

    /// One subject's latest audit rows, newest first.
    public func auditTrail(subjectID: UUID, limit: Int) async throws -> [AuditTrailEntry] {
        var entries: [AuditTrailEntry] = []
        for try await (id, occurredAt, kind, apiKeyID, userID, action, requestID, email) in try await database.query("""
            SELECT a.id, a.occurred_at, a.actor_kind, a.api_key_id, a.user_id, a.action, a.request_id, u.email
            FROM audit_log a LEFT JOIN console_users u ON u.id = a.user_id
            WHERE a.subject_id = \(subjectID) ORDER BY a.id DESC LIMIT \(limit)
            """).decode((Int64, Date, String, UUID?, UUID?, String, String, String?).self) {
            guard let actorKind = AuditActorKind(rawValue: kind) else { throw StoreError.unexpectedValue(column: "audit_log.actor_kind") }
            entries.append(AuditTrailEntry(
                event: AuditEvent(
                    id: id, occurredAt: occurredAt, actorKind: actorKind, apiKeyID: apiKeyID, userID: userID, action: action,
                    subjectID: subjectID, requestID: requestID),
                userEmail: email))
        }
        return entries
    }

    /// Records an audited console action that changes nothing else (revealing a subject's data).
    public func audit(action: String, subjectID: UUID?, actor: AuditActor) async throws {
        try await database.transaction { connection in
            try await AuditRepository.append(action: action, subjectID: subjectID, actor: actor, on: connection, logger: database.logger)
        }
    }
}
