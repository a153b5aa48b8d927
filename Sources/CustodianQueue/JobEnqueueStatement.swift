import CustodianDatabase
import Foundation
import PostgresNIO

/// ``JobQueue/enqueue(_:_:uniqueKey:priority:subjectID:on:logger:)``'s one statement (one round trip), prepared once per
/// connection: the insert, and the NOTIFY only for a job it made; the row is the new job's id, none for a duplicate.
/// `bench/sql/pgbench-consent-write.sql` runs the same (a test keeps them equal).
struct JobEnqueueStatement: RowsStatement {
    static let name = "job_enqueue"
    /// $1 the kind, $2 the payload (JSON), $3 the unique key, $4 the priority, $5 the attempts allowed, $6 the subject.
    static let sql = """
        WITH job AS (
            INSERT INTO jobs (kind, payload, unique_key, priority, max_attempts, subject_id)
            VALUES ($1, $2::jsonb, $3, $4, $5, $6)
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'held') DO NOTHING
            RETURNING id, kind
        )
        SELECT job.id FROM job CROSS JOIN LATERAL (SELECT pg_notify('\(JobQueue.notificationChannel)', job.kind)) AS notified
        """
    /// Declared, not taken from the first run's values: the unique key and the subject may be nil there.
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .int2, .int8, .uuid]
    let bindings: PostgresBindings

    init(kind: String, payload: String, uniqueKey: String?, priority: Int16, maximumAttempts: Int, subjectID: UUID?) {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(kind)
        bindings.append(payload)
        bindings.append(uniqueKey)
        bindings.append(priority)
        bindings.append(maximumAttempts)
        bindings.append(subjectID)
        self.bindings = bindings
    }
}
