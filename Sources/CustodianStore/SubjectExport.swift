import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// The machine-readable export of everything held about a subject (GDPR Art. 15, 152-FZ Art. 14): the profile, the
/// orders with their delivery blocks and items, the current consent state and the whole consent history with policy
/// versions, every transfer (recipient, categories, purpose, legal basis, time), the subject's requests, and the
/// purposes with their legal bases, categories, recipient kinds and retention. Built by PostgreSQL in one query, a JSON
/// text per member; only the two that hold sealed values (the profile and the orders) are decoded by their shape
/// (``ExportedSubject``, ``ExportedOrder``), opened under the subject's key and written again, and the members are
/// joined as they are. Parsing and writing the whole document in Swift cost more than the rest of a request for an
/// export (bench/scale).
enum SubjectExport {
    /// The export of `subjectID`, its sealed values opened with `cipher` (``SubjectKeys``).
    static func build(subjectID: UUID, cipher: SubjectCipher, on connection: PostgresConnection, logger: Logger) async throws -> String {
        guard let row = try await connection.query(
            "SELECT \(unescaped: members) FROM (SELECT \(subjectID)::uuid AS subject_id) x", logger: logger
        ).first(where: { _ in true }) else { throw StoreError.unexpectedlyEmpty }
        return try document(from: row.makeRandomAccess(), at: 0, cipher: cipher)
    }

    /// The members' columns, each a JSON text (``document(from:at:cipher:)``), for the subject whose id is the column
    /// `x.subject_id` of the query's source.
    static let members = """
        to_json(clock_timestamp())::text,
        COALESCE((SELECT json_build_object(
                'id', s.id, 'external_ref', s.external_ref, 'full_name', s.full_name, 'email', s.email, 'phone', s.phone,
                'registration_address', s.registration_address, 'locale', s.locale, 'status', s.status,
                'created_at', s.created_at, 'updated_at', s.updated_at)
            FROM subjects s WHERE s.id = x.subject_id)::text, 'null'),
        COALESCE((SELECT json_agg(json_build_object(
                'id', o.id, 'external_ref', o.external_ref, 'status', o.status, 'currency', o.currency, 'total_minor', o.total_minor,
                'placed_at', o.placed_at,
                'delivery', json_build_object('recipient_name', o.delivery_recipient_name, 'phone', o.delivery_phone,
                    'address_lines', o.delivery_address_lines, 'city', o.delivery_city, 'postal_code', o.delivery_postal_code,
                    'country', o.delivery_country),
                'items', COALESCE((SELECT json_agg(json_build_object('sku', i.sku, 'name', i.name, 'quantity', i.quantity,
                        'unit_price_minor', i.unit_price_minor) ORDER BY i.line_no) FROM order_items i WHERE i.order_id = o.id), '[]'))
                ORDER BY o.placed_at, o.id)
            FROM orders o WHERE o.subject_id = x.subject_id)::text, '[]'),
        COALESCE((SELECT json_agg(json_build_object(
                'purpose', cs.purpose_code, 'state', CASE cs.action WHEN 'grant' THEN 'granted' ELSE 'withdrawn' END,
                'since', cs.occurred_at) ORDER BY cs.purpose_code)
            FROM consent_states cs WHERE cs.subject_id = x.subject_id)::text, '[]'),
        COALESCE((SELECT json_agg(json_build_object(
                'purpose', e.purpose_code, 'action', e.action, 'policy_version', p.label, 'policy_url', p.url,
                'policy_sha256', p.text_sha256, 'channel', e.channel, 'occurred_at', e.occurred_at, 'recorded_at', e.recorded_at,
                'ip_address', host(e.ip_address), 'user_agent', e.user_agent, 'form_id', e.form_id,
                'consent_text', ct.label, 'consent_text_url', ct.url, 'consent_text_sha256', ct.text_sha256)
                ORDER BY e.occurred_at, e.recorded_at, e.id)
            FROM consent_events e JOIN policy_versions p ON p.id = e.policy_version_id
            LEFT JOIN consent_texts ct ON ct.id = e.consent_text_id WHERE e.subject_id = x.subject_id)::text, '[]'),
        COALESCE((SELECT json_agg(json_build_object(
                'recipient', r.code, 'recipient_name', r.name, 'recipient_kind', r.kind, 'recipient_country', r.country,
                'data_categories', t.data_categories, 'purpose', t.purpose_code, 'legal_basis', t.legal_basis,
                'order_id', t.order_id, 'transferred_at', t.transferred_at) ORDER BY t.id)
            FROM transfers t JOIN recipients r ON r.id = t.recipient_id WHERE t.subject_id = x.subject_id)::text, '[]'),
        COALESCE((SELECT json_agg(json_build_object(
                'id', q.id, 'kind', q.kind, 'regime', q.regime, 'status', q.status, 'received_at', q.received_at,
                'due_on', q.due_on, 'completed_at', q.completed_at) ORDER BY q.received_at, q.id)
            FROM subject_requests q WHERE q.subject_id = x.subject_id)::text, '[]'),
        COALESCE((SELECT json_agg(json_build_object(
                'code', p.code, 'title', p.title, 'legal_basis', p.legal_basis, 'data_categories', p.data_categories,
                'recipient_kinds', p.recipient_kinds, 'retention_days', p.retention_days) ORDER BY p.code)
            FROM purposes p WHERE p.retired_at IS NULL)::text, '[]')
        """

    /// The document from the ``members`` columns of `cells` that start at column `first`, its profile and orders
    /// opened with `cipher`.
    static func document(from cells: PostgresRandomAccessRow, at first: Int, cipher: SubjectCipher) throws -> String {
        let column = { (offset: Int) throws -> String in try cells[first + offset].decode(String.self) }
        // The members in the order of their names, as a JSON writer sorting keys would put them.
        let parts = [
            ("consent_history", try column(4)), ("consent_state", try column(3)), ("format", #""custodian-subject-export/1""#),
            ("generated_at", try column(0)), ("orders", try openedOrders(try column(2), cipher: cipher)), ("purposes", try column(7)),
            ("subject", try openedSubject(try column(1), cipher: cipher)), ("subject_requests", try column(6)), ("transfers", try column(5)),
        ]
        return "{" + parts.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    /// The profile with its sealed values opened; `null` when there is none.
    static func openedSubject(_ text: String, cipher: SubjectCipher) throws -> String {
        guard var subject = try JSONDecoder().decode(ExportedSubject?.self, from: Data(text.utf8)) else { return text }
        subject.fullName = try cipher.open(subject.fullName, "subjects.full_name")
        subject.email = try cipher.open(subject.email, "subjects.email")
        subject.phone = try cipher.open(subject.phone, "subjects.phone")
        subject.registrationAddress = try cipher.open(subject.registrationAddress, "subjects.registration_address")
        return try written(subject)
    }

    /// The orders with their delivery blocks opened.
    static func openedOrders(_ text: String, cipher: SubjectCipher) throws -> String {
        var orders = try JSONDecoder().decode([ExportedOrder].self, from: Data(text.utf8))
        guard !orders.isEmpty else { return text }
        for index in orders.indices {
            guard let row = UUID(uuidString: orders[index].id) else { throw StoreError.unexpectedValue(column: "orders.id") }
            orders[index].delivery = try orders[index].delivery.opened(with: cipher, order: row)
        }
        return try written(orders)
    }

    private static func written(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
