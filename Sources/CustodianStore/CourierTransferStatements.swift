import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// ``TransferRepository/startCourierTransfer(shipmentID:jobID:categories:)``'s read, prepared once per connection: the
/// shipment, its order with the parcel lines, the subject's status (locked `FOR KEY SHARE`, see ``DisclosureInFlight``)
/// and cross-border consent, the delivery purpose's legal basis, the courier, and the subject's wrapped data key.
/// $1 the shipment.
struct CourierContextStatement: RowsStatement {
    static let name = "courier_context"
    static let sql = """
        SELECT s.status, o.id, o.subject_id, subj.status, o.external_ref, o.delivery_recipient_name, o.delivery_phone,
               o.delivery_address_lines, o.delivery_city, o.delivery_postal_code, o.delivery_country,
               r.id, r.base_url, r.api_token, r.signing_secret, r.active, r.country_adequate,
               COALESCE((SELECT action = 'grant' FROM consent_states cs
                         WHERE cs.subject_id = o.subject_id AND cs.purpose_code = '\(PurposeCode.crossBorderTransfer)'), false),
               (SELECT legal_basis FROM purposes WHERE code = '\(PurposeCode.delivery)'),
               COALESCE((SELECT json_agg(json_build_object('sku', i.sku, 'name', i.name, 'quantity', i.quantity,
                                                           'unit_price_minor', i.unit_price_minor) ORDER BY i.line_no)
                         FROM order_items i WHERE i.order_id = o.id), '[]')::text,
               \(SubjectKeys.columns)
        FROM shipments s JOIN orders o ON o.id = s.order_id JOIN subjects subj ON subj.id = o.subject_id
        JOIN recipients r ON r.id = s.recipient_id \(SubjectKeys.orderJoin)
        WHERE s.id = $1::uuid
        FOR KEY SHARE OF subj
        """
    let bindings: PostgresBindings

    init(shipmentID: UUID) {
        bindings = .one(shipmentID)
    }
}

/// ``TransferRepository/finishCourierTransfer(shipmentID:context:jobID:categories:trackingReference:outcome:)`` for a
/// delivered shipment, prepared once per connection: the in-flight record gone, the shipment sent with the courier's
/// tracking reference, the transfer logged and audited. $1 the job, $2 the tracking reference, $3 the shipment, $4 the
/// courier, $5 the subject, $6 the order, $7 the data categories, $8 the legal basis, $9 the audit row's request id.
struct CourierTransferDeliveredStatement: RowsStatement {
    static let name = "courier_transfer_delivered"
    static let sql = """
        WITH settled AS (
            DELETE FROM disclosures_in_flight WHERE job_id = $1
        ), sent AS (
            UPDATE shipments SET status = 'sent', tracking_reference = $2, failure_reason = NULL, updated_at = now()
            WHERE id = $3
            RETURNING id
        ), logged AS (
            INSERT INTO transfers (recipient_id, subject_id, order_id, shipment_id, data_categories, purpose_code, legal_basis, job_id)
            SELECT $4, $5, $6, id, $7, '\(PurposeCode.delivery)', $8, $1
            FROM sent
            RETURNING subject_id
        )
        INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
        SELECT NULL, '\(TransferRepository.courierAction)', subject_id, $9 FROM logged
        """
    /// Declared, not taken from the first run's values: a nil tracking reference would leave its type to PostgreSQL.
    static let bindingDataTypes: [PostgresDataType] = [.int8, .text, .uuid, .uuid, .uuid, .uuid, .textArray, .text, .text]
    let bindings: PostgresBindings

    init(
        jobID: Int64, trackingReference: String?, shipmentID: UUID, context: CourierTransferContext, categories: [DataCategory]
    ) {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(jobID)
        bindings.append(trackingReference)
        bindings.append(shipmentID)
        bindings.append(context.target.recipientID)
        bindings.append(context.subjectID)
        bindings.append(context.orderID)
        bindings.append(categories.map(\.rawValue))
        bindings.append(context.deliveryLegalBasis.rawValue)
        bindings.append("job-\(jobID)")
        self.bindings = bindings
    }
}
