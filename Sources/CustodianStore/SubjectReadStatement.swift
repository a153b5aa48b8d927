import CustodianDatabase
import Foundation
import PostgresNIO

/// The subject read (`GET /v1/subjects/{id}`) as a prepared statement, planned once per connection (see
/// ``SubjectSearch`` for why): the subject with its wrapped data key, and its audit row when the reader may read it.
/// $1 the subject, $2–$5 the reader (``PostgresBindings/appendReader(_:)``). `bench/sql/pgbench-subject-read.sql` runs
/// the same statement, prepared too (a test keeps the two equal).
struct SubjectReadStatement: RowsStatement {
    static let name = "subject_read"
    static let sql = """
        WITH subject AS (SELECT \(SubjectRepository.columns), \(SubjectKeys.columns) FROM subjects s \(SubjectKeys.join)
                         WHERE s.id = $1::uuid),
        audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
            SELECT $2::uuid, $3::uuid, '\(SubjectRepository.Action.read)', id, $4::text FROM subject
            WHERE status = ANY($5::text[])
        )
        SELECT * FROM subject
        """
    let bindings: PostgresBindings

    init(id: UUID, actor: AuditActor) {
        bindings = .reading(id, by: actor)
    }
}
