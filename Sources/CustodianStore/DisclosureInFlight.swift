import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// How a disclosing job's outgoing call ended, as its job records it.
public enum DisclosureOutcome: Sendable, Equatable {
    /// The recipient accepted the data.
    case delivered
    /// Not delivered. `answered`: the recipient answered (or the call was never made), so this call left it nothing;
    /// otherwise (a timeout, a broken connection) the data may have arrived, and the in-flight record stays as a
    /// possible disclosure. `failure`: the reason the served record fails with, when the job gives up now.
    case notDelivered(answered: Bool, failure: String?)
}

/// What a disclosing job may do now, decided and, when it may send, recorded as in flight, in one short transaction.
public enum DisclosureStart<Context: Sendable>: Sendable {
    /// The record the job serves no longer exists.
    case missing
    /// The record is no longer pending: nothing to send.
    case settled
    /// The subject is restricted: the job waits.
    case held(reason: String)
    /// A rule forbids it; the record is marked failed with the reason.
    case refused(reason: String)
    /// The recipient has no API: a DPO task was opened in its place (``ManualTaskRepository``); the record stays
    /// pending until the task is closed.
    case delegated
    /// Recorded in flight: send this, then record the outcome.
    case send(Context)
}

/// The `disclosures_in_flight` markers: a disclosure is recorded before its outgoing call by a short transaction that
/// holds the subject's row `FOR KEY SHARE` (restriction and erasure lock it `FOR UPDATE`, so either they commit first
/// and the job sees the new status, or they see the marker), the call runs holding no connection, and the outcome is
/// written by another short statement. Never a transaction across an HTTP call.
enum DisclosureInFlight {
    /// Records that job `jobID` is about to send `categories` of the subject's data to `recipientID`.
    static func record(
        jobID: Int64, subjectID: UUID, recipientID: UUID, orderID: UUID?, categories: [DataCategory], purposeCode: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query("""
            INSERT INTO disclosures_in_flight (job_id, subject_id, recipient_id, order_id, data_categories, purpose_code)
            VALUES (\(jobID), \(subjectID), \(recipientID), \(orderID), \(categories.map(\.rawValue)), \(purposeCode))
            ON CONFLICT (job_id) DO UPDATE SET started_at = now()
            """, logger: logger)
    }

    /// Records a call that delivered nothing: the in-flight record goes when the recipient answered, and the pending
    /// record the job serves (`table`, a fixed identifier of this module's) fails when `failure` is given.
    static func notDelivered(jobID: Int64, answered: Bool, failure: String?, table: String, recordID: UUID) -> PostgresQuery {
        """
        WITH settled AS (
            DELETE FROM disclosures_in_flight WHERE job_id = \(jobID) AND \(answered)
        )
        UPDATE \(unescaped: table) SET status = 'failed', failure_reason = \(failure), updated_at = now()
        WHERE id = \(recordID) AND status = 'pending' AND \(failure)::text IS NOT NULL
        """
    }
}
