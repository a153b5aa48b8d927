import CustodianDatabase
import Foundation
import PostgresNIO

/// One order with its items, its subject's status and the read's audit row (only when the actor may read the
/// subject), prepared once per connection (see ``SubjectSearch`` for why). The row is ``OrderRepository/columns``,
/// ``OrderRepository/itemColumns`` and the subject's status; no order gives no row.
struct OrderReadStatement: RowsStatement {
    static let name = "order_read"
    /// $1 the order, $2–$5 the reader (``PostgresBindings/appendReader(_:)``).
    static let sql = """
        WITH subject AS (SELECT s.id, s.status FROM orders o JOIN subjects s ON s.id = o.subject_id WHERE o.id = $1::uuid),
        audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
            SELECT $2::uuid, $3::uuid, '\(OrderRepository.Action.read)', id, $4::text FROM subject
            WHERE status = ANY($5::text[])
        )
        SELECT \(OrderRepository.columns), \(OrderRepository.itemColumns), subject.status
        FROM subject JOIN orders o ON o.id = $1::uuid \(SubjectKeys.orderJoin)
        \(OrderRepository.itemsJoin(of: "o.id"))
        """
    let bindings: PostgresBindings

    init(id: UUID, actor: AuditActor) {
        bindings = .reading(id, by: actor)
    }
}
