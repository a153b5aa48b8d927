import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// The delivery purpose's own retention (issue 22): an order's delivery block — recipient name, phone, address — is
/// kept `retention_days` of the `delivery` purpose after the order was delivered or cancelled, then depersonalised by
/// the sweep with its destruction record; the order's accounting facts stay.
enum DeliveryBlockRetention {
    /// Clears the delivery block of the order whose delivery ended longest before `now` minus the retention, if any,
    /// in a transaction of its own that locks the subject before the order (as erasure does); returns whether there
    /// was one.
    static func clearNext(now: Date, regime: RequestRegime, actor: AuditActor, database: Database) async throws -> Bool {
        try await database.transaction { connection in
            let logger = database.logger
            guard let (orderID, subjectID, days) = try await connection.query("""
                SELECT o.id, o.subject_id, p.retention_days FROM orders o JOIN purposes p ON p.code = \(PurposeCode.delivery)
                WHERE o.status IN ('delivered', 'cancelled')
                  AND (o.delivery_recipient_name IS NOT NULL OR o.delivery_phone IS NOT NULL OR o.delivery_address_lines IS NOT NULL
                       OR o.delivery_city IS NOT NULL OR o.delivery_postal_code IS NOT NULL)
                  AND o.status_changed_at < \(now)::timestamptz - make_interval(days => p.retention_days)
                ORDER BY o.status_changed_at, o.id
                LIMIT 1
                """, logger: logger).decode((UUID, UUID, Int).self).first(where: { _ in true }) else { return false }
            try await connection.query("SELECT 1 FROM subjects WHERE id = \(subjectID) FOR NO KEY UPDATE", logger: logger)
            let cleared = try await connection.query("""
                UPDATE orders SET \(unescaped: Depersonaliser.clearDeliveryBlock)
                WHERE id = \(orderID) AND status IN ('delivered', 'cancelled')
                RETURNING 1
                """, logger: logger).decode(Int.self).first(where: { _ in true }) != nil
            guard cleared else { return true }
            try await Depersonaliser.recordAct(
                subjectID: subjectID, requestID: nil, reason: .purposeEnded(purpose: PurposeCode.delivery, days: days), regime: regime,
                categories: Depersonalisation.orderCategories, tables: ["orders"], recipients: [], orders: 1, consents: 0, jobs: 0,
                rule: DestructionAct.deliveryBlockRule(days: days), actor: actor, on: connection, logger: logger)
            try await AuditRepository.append(action: clearAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            return true
        }
    }

    static let clearAction = "order.delivery_block_destroyed"
}
