import CustodianDatabase
import Foundation
import PostgresNIO

/// A page of a subject's orders with their items, prepared once per connection (see ``SubjectSearch`` for why): the
/// subject's existence and status, its audit row (only when the actor may read it), and the page with each order's
/// items as arrays. Rows are ``OrderRepository/columns``, ``OrderRepository/itemColumns`` and the subject's status;
/// a subject without orders gives one row of NULLs but the status, no subject gives none.
struct OrderListStatement: RowsStatement {
    static let name = "order_list"
    /// $1 the subject, $2 the last order id of the previous page, $3 the page size, $4–$7 the reader
    /// (``PostgresBindings/appendReader(_:)``).
    static let sql = """
        WITH subject AS (SELECT id, status FROM subjects WHERE id = $1::uuid),
        audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
            SELECT $4::uuid, $5::uuid, '\(OrderRepository.Action.list)', id, $6::text FROM subject
            WHERE status = ANY($7::text[])
        )
        SELECT page.*, \(OrderRepository.itemColumns), subject.status
        FROM subject
        LEFT JOIN LATERAL (
            SELECT \(OrderRepository.columns) FROM orders o \(SubjectKeys.orderJoin)
            WHERE o.subject_id = subject.id AND o.id > $2::uuid ORDER BY o.id LIMIT $3::bigint
        ) AS page ON true
        \(OrderRepository.itemsJoin(of: "page.id"))
        ORDER BY page.id
        """
    let bindings: PostgresBindings

    init(subjectID: UUID, after: UUID, limit: Int, actor: AuditActor) {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(subjectID)
        bindings.append(after)
        bindings.append(limit)
        bindings.appendReader(actor)
        self.bindings = bindings
    }
}
