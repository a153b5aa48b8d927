import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// Completes, in the caller's transaction, the in-progress subject requests whose recipients have all settled, by
/// ``SubjectRequestCompletion``. Every change to the status of an erasure request or a rectification notice calls it
/// after its update: it locks the subject requests first, so of two recipients settling at once the later sees both.
enum SubjectRequestSettlement {
    /// After erasure requests `ids` changed: their cascades' requests.
    static func afterErasureRequestsChanged(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        let locked = try await lockInProgress(connection.query("""
            SELECT id FROM subject_requests
            WHERE status = 'in_progress' AND cascade_id IN (SELECT cascade_id FROM erasure_requests WHERE id = ANY(\(ids)))
            ORDER BY id FOR UPDATE
            """, logger: logger))
        guard !locked.isEmpty else { return }
        var statuses: [UUID: [ErasureRequestStatus]] = [:]
        for try await (requestID, status) in try await connection.query("""
            SELECT r.id, q.status FROM subject_requests r JOIN erasure_requests q ON q.cascade_id = r.cascade_id WHERE r.id = ANY(\(locked))
            """, logger: logger).decode((UUID, String).self) {
            guard let status = ErasureRequestStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "erasure_requests.status") }
            statuses[requestID, default: []].append(status)
        }
        try await complete(locked.filter { SubjectRequestCompletion.isComplete(erasureRequests: statuses[$0] ?? []) }, on: connection, logger: logger)
    }

    /// After rectification notices `ids` changed: their requests.
    static func afterNoticesChanged(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        let locked = try await lockInProgress(connection.query("""
            SELECT id FROM subject_requests
            WHERE status = 'in_progress' AND id IN (SELECT request_id FROM rectification_notices WHERE id = ANY(\(ids)))
            ORDER BY id FOR UPDATE
            """, logger: logger))
        guard !locked.isEmpty else { return }
        var statuses: [UUID: [RectificationNoticeStatus]] = [:]
        for try await (requestID, status) in try await connection.query("""
            SELECT request_id, status FROM rectification_notices WHERE request_id = ANY(\(locked))
            """, logger: logger).decode((UUID, String).self) {
            guard let status = RectificationNoticeStatus(rawValue: status) else {
                throw StoreError.unexpectedValue(column: "rectification_notices.status")
            }
            statuses[requestID, default: []].append(status)
        }
        try await complete(locked.filter { SubjectRequestCompletion.isComplete(notices: statuses[$0] ?? []) }, on: connection, logger: logger)
    }

    private static func lockInProgress(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [UUID] {
        try await rows.decode(UUID.self).reduce(into: []) { $0.append($1) }
    }

    private static func complete(_ requests: [UUID], on connection: PostgresConnection, logger: Logger) async throws {
        guard !requests.isEmpty else { return }
        try await connection.query("""
            WITH done AS (
                UPDATE subject_requests SET status = 'completed', completed_at = now(), updated_at = now()
                WHERE id = ANY(\(requests)) AND status = 'in_progress'
                RETURNING id
            )
            INSERT INTO subject_request_events (request_id, status, api_key_id) SELECT id, 'completed', NULL FROM done
            """, logger: logger)
    }
}
