import CustodianDatabase
import Foundation
import PostgresNIO

/// A page of the disclosures of a subject's data, oldest first, with its audit row, prepared once per connection (see
/// ``SubjectSearch`` for why). Rows: the transfer's id, recipient code, order, shipment, data categories, purpose, legal
/// basis and time; a subject without transfers gives one row of NULLs, no subject gives none.
struct TransferListStatement: RowsStatement {
    static let name = "transfer_list"
    /// $1 the subject, $2 the last transfer id of the previous page, $3 the page size, $4–$6 the audit row's API key,
    /// user and request id.
    static let sql = """
        WITH subject AS (SELECT id FROM subjects WHERE id = $1::uuid),
        page AS (
            SELECT t.id, r.code, t.order_id, t.shipment_id, t.data_categories, t.purpose_code, t.legal_basis, t.transferred_at
            FROM transfers t JOIN recipients r ON r.id = t.recipient_id
            WHERE t.subject_id = $1::uuid AND t.id > $2::bigint ORDER BY t.id LIMIT $3::bigint
        ), audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
            SELECT $4::uuid, $5::uuid, '\(TransferRepository.readAction)', id, $6::text FROM subject
        )
        SELECT page.* FROM subject LEFT JOIN page ON true ORDER BY page.id
        """
    let bindings: PostgresBindings

    init(subjectID: UUID, afterID: Int64, limit: Int, actor: AuditActor) {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(subjectID)
        bindings.append(afterID)
        bindings.append(limit)
        bindings.append(actor.apiKeyID)
        bindings.append(actor.userID)
        bindings.append(actor.requestID)
        self.bindings = bindings
    }
}
