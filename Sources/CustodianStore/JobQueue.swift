import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// A job to enqueue: its kind, an id-only payload, an optional unique key (one live job per key), and the subject
/// whose data it concerns (so a restriction can hold it and an erasure cancel it).
public struct NewJob: Sendable {
    public let kind: JobKind
    public let payload: [String: String]
    public let uniqueKey: String?
    public let priority: Int16
    public let subjectID: UUID?

    public init(kind: JobKind, payload: [String: String], uniqueKey: String? = nil, priority: Int16 = 0, subjectID: UUID? = nil) {
        self.kind = kind
        self.payload = payload
        self.uniqueKey = uniqueKey
        self.priority = priority
        self.subjectID = subjectID
    }
}

/// The job table's write side. Every write path enqueues through ``enqueue(_:on:logger:)`` on the connection of its
/// own transaction (transactional outbox), so a change and the job it causes commit or roll back together.
public enum JobQueue {
    /// The LISTEN/NOTIFY channel that wakes workers; PostgreSQL folds identical notifications of one transaction.
    public static let notificationChannel = "custodian_jobs"

    /// Enqueues `job` inside the caller's transaction; returns the new job's id, or nil when a live job with the same
    /// unique key already exists.
    @discardableResult
    public static func enqueue(_ job: NewJob, on connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        let payload = String(decoding: try JSONEncoder.canonical.encode(job.payload), as: UTF8.self)
        let rows = try await connection.query("""
            INSERT INTO jobs (kind, payload, unique_key, priority, max_attempts, subject_id)
            VALUES (\(job.kind.rawValue), \(payload)::jsonb, \(job.uniqueKey), \(job.priority), \(job.kind.maximumAttempts), \(job.subjectID))
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'held') DO NOTHING
            RETURNING id
            """, logger: logger)
        guard let id = try await rows.decode(Int64.self).first(where: { _ in true }) else { return nil }
        try await connection.query("SELECT pg_notify(\(notificationChannel), \(job.kind.rawValue))", logger: logger)
        return id
    }
}
