import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Job queue")
struct JobStoreTests {
    static let kind = JobKind.newsletterOptOut.rawValue

    func enqueue(_ count: Int, on database: Database, priority: Int16 = 0) async throws -> [Int64] {
        try await database.transaction { connection in
            var ids: [Int64] = []
            for index in 0..<count {
                if let id = try await JobQueue.enqueue(
                    NewJob(kind: .newsletterOptOut, payload: ["n": "\(index)"], priority: priority), on: connection, logger: TestDatabase.logger) {
                    ids.append(id)
                }
            }
            return ids
        }
    }

    func state(_ id: Int64, _ database: Database) async throws -> (String, Int, String?) {
        try await database.query("SELECT state, attempt, last_error FROM jobs WHERE id = \(id)").collect().first!
            .decode((String, Int, String?).self)
    }

    @Test("concurrent claimers never get the same job, and together they get all of them")
    func skipLocked() async throws {
        try await TestDatabase.withMigrated { database in
            let ids = try await enqueue(200, on: database)
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await JobStore(database: database).claim(kinds: [Self.kind], limit: 7, owner: "w\(worker)", lease: .seconds(30))
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [[Int64]]()) { $0.append($1) }
            }
            let all = claimed.flatMap { $0 }
            #expect(all.count == 200)
            #expect(Set(all) == Set(ids))
            #expect(claimed.filter { !$0.isEmpty }.count > 1)
        }
    }

    @Test("claims take due jobs of the asked kinds, highest priority first, and count the attempt")
    func claimOrder() async throws {
        try await TestDatabase.withMigrated { database in
            let low = try await enqueue(1, on: database)
            let high = try await enqueue(1, on: database, priority: 5)
            let later = try await enqueue(1, on: database)
            try await database.query("UPDATE jobs SET run_at = now() + interval '1 hour' WHERE id = \(later[0])")
            let store = JobStore(database: database)
            #expect(try await store.claim(kinds: ["other_kind"], limit: 10, owner: "w", lease: .seconds(30)).isEmpty)
            let first = try await store.claim(kinds: [Self.kind], limit: 1, owner: "w", lease: .seconds(30))
            #expect(first.map(\.id) == high)
            #expect(first.first?.attempt == 1)
            #expect(first.first?.payload == ["n": "0"])
            let rest = try await store.claim(kinds: [Self.kind], limit: 10, owner: "w", lease: .seconds(30))
            #expect(rest.map(\.id) == low)
        }
    }

    @Test("completions: success, retry with a time, retry past the last attempt fails; each attempt recorded")
    func completions() async throws {
        try await TestDatabase.withMigrated { database in
            let ids = try await enqueue(3, on: database)
            try await database.query("UPDATE jobs SET max_attempts = 1 WHERE id = \(ids[2])")
            let store = JobStore(database: database)
            _ = try await store.claim(kinds: [Self.kind], limit: 3, owner: "w", lease: .seconds(30))
            let retryAt = Date().addingTimeInterval(60)
            let written = try await store.complete([
                JobResult(jobID: ids[0], outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 204, startedAt: Date(), durationMilliseconds: 12),
                JobResult(jobID: ids[1], outcome: .retry, retryAt: retryAt, error: "HTTP 503", httpStatus: 503, startedAt: Date(), durationMilliseconds: 5),
                JobResult(jobID: ids[2], outcome: .retry, retryAt: retryAt, error: "HTTP 500", httpStatus: 500, startedAt: Date(), durationMilliseconds: 5),
            ], owner: "w")
            #expect(Set(written) == Set(ids))
            #expect(try await state(ids[0], database).0 == "succeeded")
            let retried = try await state(ids[1], database)
            #expect(retried.0 == "available")
            #expect(retried.2 == "HTTP 503")
            #expect(try await state(ids[2], database).0 == "failed")
            #expect(try await state(ids[2], database).2 == "HTTP 500 (no attempts left)")
            #expect(try await store.claim(kinds: [Self.kind], limit: 10, owner: "w", lease: .seconds(30)).isEmpty, "the retry is not due yet")
            let attempts = try await database.query("SELECT job_id, attempt, outcome, http_status FROM job_attempts ORDER BY job_id").collect()
                .map { try $0.decode((Int64, Int, String, Int?).self) }
            #expect(attempts.map(\.2) == ["succeeded", "retry", "retry"])
            #expect(attempts.map(\.3) == [204, 503, 500])
        }
    }

    @Test("a worker that lost its lease cannot complete or extend; expired leases are rescued")
    func leases() async throws {
        try await TestDatabase.withMigrated { database in
            let ids = try await enqueue(1, on: database)
            let store = JobStore(database: database)
            _ = try await store.claim(kinds: [Self.kind], limit: 1, owner: "slow", lease: .seconds(30))
            #expect(try await store.extendLeases(ids: ids, owner: "slow", lease: .seconds(30)) == ids)
            #expect(try await store.rescueExpiredLeases() == 0)
            try await database.query("UPDATE jobs SET lease_expires_at = now() - interval '1 second'")
            #expect(try await store.rescueExpiredLeases() == 1)
            #expect(try await state(ids[0], database).0 == "available")
            let again = try await store.claim(kinds: [Self.kind], limit: 1, owner: "fast", lease: .seconds(30))
            #expect(again.first?.attempt == 2)
            #expect(try await store.extendLeases(ids: ids, owner: "slow", lease: .seconds(30)).isEmpty)
            let stale = JobResult(jobID: ids[0], outcome: .failed, retryAt: nil, error: "late", httpStatus: nil, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([stale], owner: "slow").isEmpty)
            #expect(try await state(ids[0], database).0 == "running")
            let done = JobResult(jobID: ids[0], outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 200, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([done], owner: "fast") == ids)
        }
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
            let store = JobStore(database: database)
            _ = try await store.claim(kinds: ["courier_transfer"], limit: 1, owner: "dead", lease: .seconds(30))
            try await database.query("UPDATE jobs SET lease_expires_at = now() - interval '1 second'")
            #expect(try await store.rescueExpiredLeases() == 1)
            #expect(try await state(jobID, database).0 == "failed")
            let shipment = try await database.query("SELECT status, failure_reason FROM shipments WHERE job_id = \(jobID)").collect().first?
                .decode((String, String?).self)
            #expect(shipment?.0 == "failed")
            #expect(shipment?.1 == "the worker stopped or hung on the last attempt")
        }
    }

    @Test("one live job per unique key; succeeded jobs are pruned after the retention")
    func uniqueAndPrune() async throws {
        try await TestDatabase.withMigrated { database in
            let job = NewJob(kind: .newsletterOptOut, payload: [:], uniqueKey: "k")
            let first = try await database.transaction { try await JobQueue.enqueue(job, on: $0, logger: TestDatabase.logger) }
            let second = try await database.transaction { try await JobQueue.enqueue(job, on: $0, logger: TestDatabase.logger) }
            #expect(first != nil)
            #expect(second == nil)
            let store = JobStore(database: database)
            _ = try await store.claim(kinds: [Self.kind], limit: 1, owner: "w", lease: .seconds(30))
            try await store.complete([JobResult(jobID: first!, outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 200, startedAt: Date(), durationMilliseconds: 1)], owner: "w")
            #expect(try await database.transaction { try await JobQueue.enqueue(job, on: $0, logger: TestDatabase.logger) } != nil, "a finished job frees its key")
            #expect(try await store.pruneSucceeded(olderThan: .seconds(3600)) == 0)
            try await database.query("UPDATE jobs SET finished_at = now() - interval '2 hours' WHERE state = 'succeeded'")
            #expect(try await store.pruneSucceeded(olderThan: .seconds(3600), batchSize: 1) == 1)
            #expect(try await database.query("SELECT count(*) FROM job_attempts").collect().first?.decode(Int.self) == 0)
        }
    }

    @Test("a held result parks the job without finishing it; a held job whose subject is active again is released by the rescue pass")
    func heldAndReleased() async throws {
        try await TestDatabase.withMigrated { database in
            let subjectID = UUID()
            try await database.query("INSERT INTO subjects (id, external_ref, locale, status) VALUES (\(subjectID), 'held-1', 'ru-RU', 'restricted')")
            let job = NewJob(kind: .courierTransfer, payload: [:], uniqueKey: "held-key", subjectID: subjectID)
            let id = try #require(try await database.transaction { try await JobQueue.enqueue(job, on: $0, logger: TestDatabase.logger) })
            let store = JobStore(database: database)
            _ = try await store.claim(kinds: [JobKind.courierTransfer.rawValue], limit: 1, owner: "w", lease: .seconds(30))
            let held = JobResult(jobID: id, outcome: .held, retryAt: nil, error: "restricted", httpStatus: nil, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([held], owner: "w") == [id])
            #expect(try await state(id, database).0 == "held")
            #expect(try await database.transaction { try await JobQueue.enqueue(job, on: $0, logger: TestDatabase.logger) } == nil, "a held job is live")
            try await store.rescueExpiredLeases()
            #expect(try await state(id, database).0 == "held", "stays held while the subject is restricted")
            // The restriction was lifted while the job's result was still being written.
            try await database.query("UPDATE subjects SET status = 'active' WHERE id = \(subjectID)")
            try await store.rescueExpiredLeases()
            #expect(try await state(id, database).0 == "available")
        }
    }
}
