import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// One recipient's part of an erasure cascade, as the console lists it.
public struct CascadeDelivery: Sendable, Equatable {
    public let requestID: UUID
    public let cascadeID: UUID
    public let subjectID: UUID
    public let recipientName: String
    public let status: ErasureRequestStatus
    public let jobID: Int64?
    public let failureReason: String?
    public let sentAt: Date?
    public let updatedAt: Date
}

/// The reads behind the console's cascades page: recipients' erasure requests not yet confirmed.
public struct ConsoleCascades: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Pending, awaiting and failed erasure requests, the longest waiting first, at most `limit`.
    public func open(limit: Int) async throws -> [CascadeDelivery] {
        try await Self.decode(database.query("""
            SELECT e.id, e.cascade_id, c.subject_id, r.name, e.status, e.job_id, e.failure_reason, e.sent_at, e.updated_at
            FROM erasure_requests e JOIN erasure_cascades c ON c.id = e.cascade_id JOIN recipients r ON r.id = e.recipient_id
            WHERE e.status IN ('pending', 'awaiting_confirmation', 'failed')
            ORDER BY e.updated_at LIMIT \(limit)
            """))
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [CascadeDelivery] {
        var deliveries: [CascadeDelivery] = []
        for try await (id, cascadeID, subjectID, name, status, jobID, reason, sentAt, updatedAt) in rows.decode(
            (UUID, UUID, UUID, String, String, Int64?, String?, Date?, Date).self)
        {
            guard let status = ErasureRequestStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "erasure_requests.status") }
            deliveries.append(CascadeDelivery(
                requestID: id, cascadeID: cascadeID, subjectID: subjectID, recipientName: name, status: status, jobID: jobID,
                failureReason: reason, sentAt: sentAt, updatedAt: updatedAt))
        }
        return deliveries
    }
}
