import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Who caused an audited action: an API key, a console user, or neither (the system's own work), and the request.
public struct AuditActor: Sendable {
    public let apiKeyID: UUID?
    public let userID: UUID?
    public let requestID: String
    /// Whose processing this is, as a block sees it (``SubjectBlock/permits(_:subjectStatus:)``).
    public let party: ProcessingParty
    /// The data subject acting for itself (an unsubscribe link, the privacy center).
    public let bySubject: Bool

    /// An API key acting (`party` from its scope), or the system's own work (no key, ``ProcessingParty/oversight``).
    public init(apiKeyID: UUID?, party: ProcessingParty = .oversight, requestID: String) {
        self.apiKeyID = apiKeyID
        self.userID = nil
        self.requestID = requestID
        self.party = party
        self.bySubject = false
    }

    /// A console user acting: the DPO's side, which a block does not stop.
    public init(userID: UUID, requestID: String) {
        self.apiKeyID = nil
        self.userID = userID
        self.requestID = requestID
        self.party = .oversight
        self.bySubject = false
    }

    /// The data subject acting for itself, on its own data only (a withdrawal always passes a block).
    public static func subject(requestID: String) -> AuditActor {
        AuditActor(bySubjectWith: requestID)
    }

    private init(bySubjectWith requestID: String) {
        apiKeyID = nil
        userID = nil
        self.requestID = requestID
        party = .oversight
        bySubject = true
    }

    /// Throws ``SubjectRestricted`` unless this actor may read or change the record of a subject in `status`.
    func requirePermitted(_ status: SubjectStatus) throws {
        guard SubjectBlock.permits(party, subjectStatus: status) else { throw SubjectRestricted() }
    }
}

/// The subject is blocked while a request about its data is verified (152-FZ Art. 21(1)-(2)): the shop may neither
/// read nor change its record.
public struct SubjectRestricted: Error {}

/// Who an audit row says acted.
public enum AuditActorKind: String, Sendable, CaseIterable {
    case apiKey = "api_key"
    case user
    /// The worker or retention, on no one's request.
    case system
    /// The data subject itself (an unsubscribe link, the privacy center).
    case subject
}

/// One row of the append-only audit trail.
public struct AuditEvent: Sendable, Equatable {
    public let id: Int64
    public let occurredAt: Date
    public let actorKind: AuditActorKind
    public let apiKeyID: UUID?
    public let userID: UUID?
    public let action: String
    public let subjectID: UUID?
    public let requestID: String
}

/// Appends to and reads the audit trail. Appends run on the caller's connection, inside the transaction of the
/// write or read they record, so an audited action and its row commit together.
public struct AuditRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Appends one row on `connection` (inside the caller's transaction).
    public static func append(action: String, subjectID: UUID?, actor: AuditActor, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id, by_subject)
            VALUES (\(actor.apiKeyID), \(actor.userID), \(action), \(subjectID), \(actor.requestID), \(actor.bySubject))
            """, logger: logger)
    }

    static let eventColumns = "id, occurred_at, actor_kind, api_key_id, user_id, action, subject_id, request_id"

    /// One subject's events, oldest first, after the event with id `afterID`.
    public func events(subjectID: UUID, afterID: Int64?, limit: Int) async throws -> [AuditEvent] {
        try await Self.decodeEvents(database.query("""
            SELECT \(unescaped: Self.eventColumns) FROM audit_log
            WHERE subject_id = \(subjectID) AND id > \(afterID ?? 0)
            ORDER BY id LIMIT \(limit)
            """))
    }

    /// Events from rows of ``eventColumns``.
    static func decodeEvents(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        for try await (id, occurredAt, kind, apiKeyID, userID, action, subjectID, requestID)
            in rows.decode((Int64, Date, String, UUID?, UUID?, String, UUID?, String).self) {
            guard let actorKind = AuditActorKind(rawValue: kind) else { throw StoreError.unexpectedValue(column: "audit_log.actor_kind") }
            events.append(AuditEvent(
                id: id, occurredAt: occurredAt, actorKind: actorKind, apiKeyID: apiKeyID, userID: userID, action: action, subjectID: subjectID,
                requestID: requestID))
        }
        return events
    }
}

extension AuditRepository {
    /// Audits an operator's retry or cancel of a job in the command's own transaction.
    public static func jobCommand(by actor: AuditActor) -> @Sendable (JobAdministration.Command, JobRecord, PostgresConnection, Logger) async throws -> Void {
        { command, _, connection, logger in
            try await append(action: command.rawValue, subjectID: nil, actor: actor, on: connection, logger: logger)
        }
    }
}
