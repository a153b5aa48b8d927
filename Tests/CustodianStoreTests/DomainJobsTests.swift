import CustodianCore
import CustodianQueue
import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// What the queue does to the records Custodian's jobs serve, through ``DomainJobs/hooks``.
@Suite("Domain job hooks")
struct DomainJobsTests {
    func state(_ id: Int64, _ database: Database) async throws -> String {
        try await database.query("SELECT state FROM jobs WHERE id = \(id)").collect().first!.decode(String.self)
    }

    @Test("a rescued job with no attempts left fails, and the pending shipment it served fails with the reason")
    func rescueExhausted() async throws {
        try await TestDatabase.withMigrated { database in
            let jobID = try #require(try await database.query("""
                WITH courier AS (
                    INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories)
                    VALUES (gen_random_uuid(), 'courier', 'Courier', 'courier', 'https://courier.example', \(StandardWebhooksSecret.generate().text),
                            'RU', true, '{full_name,phone,delivery_address}')
                    RETURNING id
                ), subject AS (
                    INSERT INTO subjects (id, external_ref, full_name, locale) VALUES (gen_random_uuid(), 'rescue', 'Customer', 'ru-RU') RETURNING id
                ), placed AS (
                    INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name, delivery_phone,
                                        delivery_address_lines, delivery_city, delivery_country)
                    SELECT gen_random_uuid(), id, 'rescue-1', 'paid', 'RUB', 0, 'Customer', '+79160000000', ARRAY['Street 1'], 'Moscow', 'RU'
                    FROM subject
                    RETURNING id
                ), job AS (
                    INSERT INTO jobs (kind, payload, max_attempts) VALUES ('courier_transfer', '{}', 1) RETURNING id
                ), shipment AS (
                    INSERT INTO shipments (id, order_id, recipient_id, job_id) SELECT gen_random_uuid(), placed.id, courier.id, job.id FROM placed, courier, job
                )
                SELECT id FROM job
                """).collect().first?.decode(Int64.self))
            let store = JobStore(database: database, hooks: DomainJobs.hooks)
            _ = try await store.claim(kind: "courier_transfer", limit: 1, owner: "dead", lease: .seconds(30))
            try await database.query("UPDATE jobs SET lease_expires_at = now() - interval '1 second'")
            #expect(try await store.rescueExpiredLeases() == 1)
            #expect(try await state(jobID, database) == "failed")
            let shipment = try await database.query("SELECT status, failure_reason FROM shipments WHERE job_id = \(jobID)").collect().first?
                .decode((String, String?).self)
            #expect(shipment?.0 == "failed")
            #expect(shipment?.1 == "the worker stopped or hung on the last attempt")
        }
    }

    @Test("the domain's sweep releases a held job whose subject is active again (its result written after the lift)")
    func heldAndReleased() async throws {
        try await TestDatabase.withMigrated { database in
            let subjectID = UUID()
            try await database.query("INSERT INTO subjects (id, external_ref, locale, status) VALUES (\(subjectID), 'held-1', 'ru-RU', 'restricted')")
            let id = try #require(try await database.transaction {
                try await JobQueue.enqueue(CourierTransferJob.self, .init(shipmentID: UUID()), subjectID: subjectID, on: $0, logger: TestDatabase.logger)
            })
            let store = JobStore(database: database, hooks: DomainJobs.hooks)
            _ = try await store.claim(kind: CourierTransferJob.name, limit: 1, owner: "w", lease: .seconds(30))
            let held = JobResult(jobID: id, attempt: 1, outcome: .held, retryAt: nil, error: "restricted", httpStatus: nil, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([held], owner: "w") == [id])
            #expect(try await state(id, database) == "held")
            try await store.rescueExpiredLeases()
            #expect(try await state(id, database) == "held", "stays held while the subject is restricted")
            // The restriction was lifted while the job's result was still being written.
            try await database.query("UPDATE subjects SET status = 'active' WHERE id = \(subjectID)")
            try await store.rescueExpiredLeases()
            #expect(try await state(id, database) == "available")
        }
    }

    @Test("the disclosing kinds are the courier transfer and the rectification notice; opt-outs and erasure requests are not")
    func disclosing() {
        #expect(Set(DomainJobs.disclosing) == [CourierTransferJob.name, RectificationNoticeJob.name])
        #expect(!DomainJobs.disclosing.contains(NewsletterOptOutJob.name) && !DomainJobs.disclosing.contains(ErasureRequestJob.name))
    }
}
