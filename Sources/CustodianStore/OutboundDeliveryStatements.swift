import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// ``OutboundDeliveryRepository``'s statements, each prepared once per connection: the newsletter opt-out runs its
/// context read and the delivery record on every job, the verification code the delivered steps, the active target
/// and the delivery record.
enum OutboundDeliveryStatements {
    /// The steps of a job already delivered. $1 the job.
    struct DeliveredSteps: RowsStatement {
        static let name = "delivered_steps"
        static let sql = "SELECT step FROM outbound_deliveries WHERE job_id = $1"
        let bindings: PostgresBindings

        init(jobID: Int64) {
            bindings = .one(jobID)
        }
    }

    /// A delivered step recorded (a repeated record keeps the first) and logged once as a transfer under
    /// ``NoticeAccounting``. $1 the job, $2 the step, $3 the recipient, $4 the webhook id, $5 the HTTP status, $6 the
    /// subject, $7 the data categories.
    struct RecordDelivered: RowsStatement {
        static let name = "record_delivered"
        static let sql = """
            WITH recorded AS (
                INSERT INTO outbound_deliveries (job_id, step, recipient_id, webhook_id, http_status)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (job_id, step) DO NOTHING
                RETURNING 1
            )
            INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
            SELECT $3, $6, $7, '\(NoticeAccounting.purpose)', '\(NoticeAccounting.legalBasis.rawValue)', $1
            FROM recorded
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .text, .uuid, .text, .int4, .uuid, .textArray]
        let bindings: PostgresBindings

        init(jobID: Int64, step: String, recipientID: UUID, webhookID: String, httpStatus: Int, subjectID: UUID, categories: [DataCategory]) {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(jobID)
            bindings.append(step)
            bindings.append(recipientID)
            bindings.append(webhookID)
            bindings.append(Int32(clamping: httpStatus))
            bindings.append(subjectID)
            bindings.append(categories.map(\.rawValue))
            self.bindings = bindings
        }
    }

    /// The first active recipient of the kind in parameter `kind` (e.g. `$1`), by code: its id, base URL, token and secret.
    static func firstActiveRecipient(kind: String) -> String {
        "SELECT id, base_url, api_token, signing_secret FROM recipients WHERE kind = \(kind) AND active ORDER BY code LIMIT 1"
    }

    /// The first active recipient of a kind, by code. $1 the kind.
    struct ActiveTarget: RowsStatement {
        static let name = "active_target"
        static let sql = firstActiveRecipient(kind: "$1")
        let bindings: PostgresBindings

        init(kind: String) {
            bindings = .one(kind)
        }
    }

    /// Everything the newsletter opt-out reads before it sends, in one round trip: the subject's address, name,
    /// locale and status with its wrapped data key, the first active recipient of a kind (nulls when there is none)
    /// and the job's steps already delivered. No row when the subject is gone. $1 the subject, $2 the job, $3 the
    /// recipient kind.
    struct NewsletterOptOutContextRead: RowsStatement {
        static let name = "newsletter_opt_out_context"
        static let sql = """
            SELECT s.email, s.full_name, s.locale, s.status, \(SubjectKeys.columns),
                   r.id, r.base_url, r.api_token, r.signing_secret,
                   ARRAY(SELECT d.step FROM outbound_deliveries d WHERE d.job_id = $2)
            FROM subjects s \(SubjectKeys.join)
            LEFT JOIN LATERAL (\(firstActiveRecipient(kind: "$3"))) r ON true
            WHERE s.id = $1
            """
        static let bindingDataTypes: [PostgresDataType] = [.uuid, .int8, .text]
        let bindings: PostgresBindings

        init(subjectID: UUID, jobID: Int64, recipientKind: String) {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(subjectID)
            bindings.append(jobID)
            bindings.append(recipientKind)
            self.bindings = bindings
        }
    }
}
