import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// ``OutboundDeliveryRepository``'s statements, each prepared once per connection: the e-mail jobs (newsletter
/// opt-out, verification code) run them on every job.
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

    /// The first active recipient of a kind, by code. $1 the kind.
    struct ActiveTarget: RowsStatement {
        static let name = "active_target"
        static let sql = "SELECT id, base_url, api_token, signing_secret FROM recipients WHERE kind = $1 AND active ORDER BY code LIMIT 1"
        let bindings: PostgresBindings

        init(kind: String) {
            bindings = .one(kind)
        }
    }

    /// What the newsletter opt-out needs of a subject, with its wrapped data key. $1 the subject.
    struct ContactRead: RowsStatement {
        static let name = "newsletter_contact"
        static let sql = """
            SELECT s.email, s.full_name, s.locale, s.status, \(SubjectKeys.columns) FROM subjects s \(SubjectKeys.join)
            WHERE s.id = $1
            """
        let bindings: PostgresBindings

        init(subjectID: UUID) {
            bindings = .one(subjectID)
        }
    }
}
