import CustodianDatabase
import CustodianQueue
import CustodianTestSupport
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import Testing

/// The job kind of the queue's own tests.
enum TestJob: JobKind {
    struct Payload: Codable, Sendable, Equatable {
        var n: Int
    }

    static let name = "test_job"
    static let maximumAttempts = 25
    static let defaultConcurrency = 4
}

/// A second kind, to tell notifications apart.
enum OtherTestJob: JobKind {
    typealias Payload = TestJob.Payload

    static let name = "other_test_job"
    static let maximumAttempts = 3
    static let defaultConcurrency = 1
}

@Suite("Job queue")
struct JobStoreTests {
    static let kind = TestJob.name

    func enqueue(_ count: Int, on database: Database, priority: Int16 = 0, subjectID: UUID? = nil) async throws -> [Int64] {
        try await database.transaction { connection in
            var ids: [Int64] = []
            for index in 0..<count {
                if let id = try await JobQueue.enqueue(
                    TestJob.self, .init(n: index), priority: priority, subjectID: subjectID, on: connection, logger: TestDatabase.logger) {
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

    @Test("an enqueue NOTIFYs its kind at commit, in the same statement as the insert; a duplicate unique key makes no job and no notification")
    func enqueueNotifies() async throws {
        try await TestDatabase.withMigrated { database in
            try await database.withConnection { listening in
                try await listening.listen(on: JobQueue.notificationChannel) { notifications in
                    var heard = notifications.makeAsyncIterator()
                    let first = try await database.transaction { connection in
                        try await JobQueue.enqueue(TestJob.self, .init(n: 1), uniqueKey: "once", on: connection, logger: TestDatabase.logger)
                    }
                    #expect(first != nil)
                    #expect(try await heard.next()?.payload == TestJob.name)
                    let duplicate = try await database.transaction { connection in
                        try await JobQueue.enqueue(TestJob.self, .init(n: 2), uniqueKey: "once", on: connection, logger: TestDatabase.logger)
                    }
                    #expect(duplicate == nil)
                    try await database.transaction { connection in
                        try await JobQueue.enqueue(OtherTestJob.self, .init(n: 3), on: connection, logger: TestDatabase.logger)
                    }
                    #expect(try await heard.next()?.payload == OtherTestJob.name, "the duplicate sent nothing before it")
                }
            }
            #expect(try await database.query("SELECT count(*) FROM jobs").collect().first?.decode(Int.self) == 2)
        }
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
                            let batch = try await JobStore(database: database).claim(kind: Self.kind, limit: 7, owner: "w\(worker)", lease: .seconds(30))
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

    @Test("claims take due jobs of the asked kind, highest priority first, and count the attempt")
    func claimOrder() async throws {
        try await TestDatabase.withMigrated { database in
            let low = try await enqueue(1, on: database)
            let high = try await enqueue(1, on: database, priority: 5)
            let later = try await enqueue(1, on: database)
            try await database.query("UPDATE jobs SET run_at = now() + interval '1 hour' WHERE id = \(later[0])")
            let store = JobStore(database: database)
            #expect(try await store.claim(kind: "other_kind", limit: 10, owner: "w", lease: .seconds(30)).isEmpty)
            let first = try await store.claim(kind: Self.kind, limit: 1, owner: "w", lease: .seconds(30))
            #expect(first.map(\.id) == high)
            #expect(first.first?.attempt == 1)
            #expect(try first.first.map { try JSONDecoder().decode(TestJob.Payload.self, from: Data($0.payload.utf8)) } == TestJob.Payload(n: 0))
            let rest = try await store.claim(kind: Self.kind, limit: 10, owner: "w", lease: .seconds(30))
            #expect(rest.map(\.id) == low)
        }
    }

    @Test("a claim for a kind with nothing due reads none of another kind's backlog: the claim index is led by the kind")
    func claimSkipsOtherKindsBacklog() async throws {
        try await TestDatabase.withMigrated { database in
            try await database.query("""
                INSERT INTO jobs (kind, payload) SELECT 'bulk_kind', jsonb_build_object('n', n) FROM generate_series(1, 20000) AS n
                """)
            try await database.query("ANALYZE jobs")
            let statement = JobCycleStatement(results: [], owner: "w", kind: Self.kind, limit: 32, lease: .seconds(30))
            let rows = try await database.query(PostgresQuery(
                unsafeSQL: "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + JobCycleStatement.sql, binds: try statement.makeBindings())).collect()
            let plan = try JSONSerialization.jsonObject(with: Data(try #require(rows.first).decode(String.self).utf8))
            let scans = Self.nodes(in: plan).filter { ($0["Relation Name"] as? String) == "jobs" && ($0["Node Type"] as? String)?.contains("Index") == true }
            let claimScan = try #require(scans.first { ($0["Index Name"] as? String) == "jobs_claimable_by_kind_idx" }, "plan: \(scans)")
            #expect((claimScan["Index Cond"] as? String)?.contains("kind") == true)
            #expect(claimScan["Actual Rows"] as? Int == 0)
            #expect((claimScan["Rows Removed by Filter"] as? Int ?? 0) == 0, "the claim walked past other kinds' jobs")
            #expect((claimScan["Shared Hit Blocks"] as? Int ?? 0) + (claimScan["Shared Read Blocks"] as? Int ?? 0) < 10)
        }
    }

    /// Every node of an EXPLAIN (FORMAT JSON) plan, depth first.
    static func nodes(in plan: Any) -> [[String: Any]] {
        if let list = plan as? [Any] { return list.flatMap { nodes(in: $0) } }
        guard let object = plan as? [String: Any] else { return [] }
        if let root = object["Plan"] { return nodes(in: root) }
        return [object] + ((object["Plans"] as? [Any]) ?? []).flatMap { nodes(in: $0) }
    }

    @Test("completions: success, retry with a time, retry past the last attempt fails; each attempt recorded")
    func completions() async throws {
        try await TestDatabase.withMigrated { database in
            let ids = try await enqueue(3, on: database)
            try await database.query("UPDATE jobs SET max_attempts = 1 WHERE id = \(ids[2])")
            let store = JobStore(database: database)
            _ = try await store.claim(kind: Self.kind, limit: 3, owner: "w", lease: .seconds(30))
            let retryAt = Date().addingTimeInterval(60)
            let written = try await store.complete([
                JobResult(jobID: ids[0], attempt: 1, outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 204, startedAt: Date(), durationMilliseconds: 12),
                JobResult(jobID: ids[1], attempt: 1, outcome: .retry, retryAt: retryAt, error: "HTTP 503", httpStatus: 503, startedAt: Date(), durationMilliseconds: 5),
                JobResult(jobID: ids[2], attempt: 1, outcome: .retry, retryAt: retryAt, error: "HTTP 500", httpStatus: 500, startedAt: Date(), durationMilliseconds: 5),
            ], owner: "w")
            #expect(Set(written) == Set(ids))
            #expect(try await state(ids[0], database).0 == "succeeded")
            let retried = try await state(ids[1], database)
            #expect(retried.0 == "available")
            #expect(retried.2 == "HTTP 503")
            #expect(try await state(ids[2], database).0 == "failed")
            #expect(try await state(ids[2], database).2 == "HTTP 500 (no attempts left)")
            #expect(try await store.claim(kind: Self.kind, limit: 10, owner: "w", lease: .seconds(30)).isEmpty, "the retry is not due yet")
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
            _ = try await store.claim(kind: Self.kind, limit: 1, owner: "slow", lease: .seconds(30))
            #expect(try await store.extendLeases(ids: ids, owner: "slow", lease: .seconds(30)) == ids)
            #expect(try await store.rescueExpiredLeases() == 0)
            try await database.query("UPDATE jobs SET lease_expires_at = now() - interval '1 second'")
            #expect(try await store.rescueExpiredLeases() == 1)
            #expect(try await state(ids[0], database).0 == "available")
            let again = try await store.claim(kind: Self.kind, limit: 1, owner: "fast", lease: .seconds(30))
            #expect(again.first?.attempt == 2)
            #expect(try await store.extendLeases(ids: ids, owner: "slow", lease: .seconds(30)).isEmpty)
            let stale = JobResult(jobID: ids[0], attempt: 1, outcome: .failed, retryAt: nil, error: "late", httpStatus: nil, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([stale], owner: "slow").isEmpty)
            #expect(try await state(ids[0], database).0 == "running")
            let done = JobResult(jobID: ids[0], attempt: 2, outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 200, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([done], owner: "fast") == ids)
        }
    }

    @Test("a late result of an earlier attempt is not written on a later attempt of the job, even by the same owner")
    func staleAttemptFenced() async throws {
        try await TestDatabase.withMigrated { database in
            let ids = try await enqueue(1, on: database)
            let store = JobStore(database: database)
            _ = try await store.claim(kind: Self.kind, limit: 1, owner: "w", lease: .seconds(30))
            try await database.query("UPDATE jobs SET lease_expires_at = now() - interval '1 second'")
            #expect(try await store.rescueExpiredLeases() == 1)
            #expect(try await store.claim(kind: Self.kind, limit: 1, owner: "w", lease: .seconds(30)).first?.attempt == 2)
            let late = JobResult(jobID: ids[0], attempt: 1, outcome: .failed, retryAt: nil, error: "late", httpStatus: nil, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([late], owner: "w").isEmpty)
            #expect(try await state(ids[0], database).0 == "running")
            let current = JobResult(jobID: ids[0], attempt: 2, outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 200, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([current], owner: "w") == ids)
            let attempts = try await database.query("SELECT attempt, outcome FROM job_attempts").collect().map { try $0.decode((Int, String).self) }
            #expect(attempts.count == 1 && attempts.first?.0 == 2 && attempts.first?.1 == "succeeded")
        }
    }

    @Test("one live job per unique key; succeeded jobs are pruned after the retention")
    func uniqueAndPrune() async throws {
        try await TestDatabase.withMigrated { database in
            let enqueue = { @Sendable (connection: PostgresConnection) in
                try await JobQueue.enqueue(TestJob.self, .init(n: 1), uniqueKey: "k", on: connection, logger: TestDatabase.logger)
            }
            let first = try await database.transaction(enqueue)
            let second = try await database.transaction(enqueue)
            #expect(first != nil)
            #expect(second == nil)
            let store = JobStore(database: database)
            _ = try await store.claim(kind: Self.kind, limit: 1, owner: "w", lease: .seconds(30))
            try await store.complete([JobResult(jobID: first!, attempt: 1, outcome: .succeeded, retryAt: nil, error: nil, httpStatus: 200, startedAt: Date(), durationMilliseconds: 1)], owner: "w")
            #expect(try await database.transaction(enqueue) != nil, "a finished job frees its key")
            #expect(try await store.pruneSucceeded(olderThan: .seconds(3600)) == 0)
            try await database.query("UPDATE jobs SET finished_at = now() - interval '2 hours' WHERE state = 'succeeded'")
            #expect(try await store.pruneSucceeded(olderThan: .seconds(3600), batchSize: 1) == 1)
            #expect(try await database.query("SELECT count(*) FROM job_attempts").collect().first?.decode(Int.self) == 0)
        }
    }

    @Test("a held result parks the job, live for its unique key; hold, release and cancel act on one subject's jobs of the given kinds")
    func heldAndSubjectCommands() async throws {
        try await TestDatabase.withMigrated { database in
            let subject = UUID()
            let mine = try await enqueue(3, on: database, subjectID: subject)
            let other = try await enqueue(1, on: database, subjectID: UUID())
            let store = JobStore(database: database)
            _ = try await store.claim(kind: Self.kind, limit: 1, owner: "w", lease: .seconds(30))
            let held = JobResult(jobID: mine[0], attempt: 1, outcome: .held, retryAt: nil, error: "restricted", httpStatus: nil, startedAt: Date(), durationMilliseconds: 1)
            #expect(try await store.complete([held], owner: "w") == [mine[0]])
            #expect(try await state(mine[0], database).0 == "held")

            try await database.transaction { try await JobQueue.hold(subjectID: subject, kinds: ["other_kind"], on: $0, logger: TestDatabase.logger) }
            #expect(try await state(mine[1], database).0 == "available", "only the given kinds are held")
            try await database.transaction { try await JobQueue.hold(subjectID: subject, kinds: [Self.kind], on: $0, logger: TestDatabase.logger) }
            #expect(try await [mine[1], mine[2]].asyncMap { try await state($0, database).0 } == ["held", "held"])
            #expect(try await state(other[0], database).0 == "available", "another subject's job is untouched")

            try await database.transaction { try await JobQueue.release(subjectID: subject, on: $0, logger: TestDatabase.logger) }
            #expect(try await mine.asyncMap { try await state($0, database).0 } == ["available", "available", "available"])

            let cancelled = try await database.transaction {
                try await JobQueue.cancelPending(subjectID: subject, kinds: [Self.kind], reason: "erased", on: $0, logger: TestDatabase.logger)
            }
            #expect(Set(cancelled.map(\.id)) == Set(mine) && cancelled.allSatisfy { $0.kind == Self.kind })
            #expect(try await state(mine[0], database) == ("cancelled", 1, "erased"))
            #expect(try await state(other[0], database).0 == "available")
        }
    }

    @Test("a rescue that fails a job tells its kind's lifecycle in the same transaction, then runs the sweeps")
    func rescueHooks() async throws {
        try await TestDatabase.withMigrated { database in
            let ids = try await enqueue(2, on: database)
            try await database.query("UPDATE jobs SET max_attempts = 1 WHERE id = \(ids[0])")
            let heard = RecordingLifecycle()
            var hooks = JobHooks()
            hooks.register(TestJob.self, lifecycle: heard)
            hooks.addSweep { connection, logger in
                // A sweep runs in the rescue's transaction: it sees the rescued states.
                let failed = try await connection.query("SELECT count(*) FROM jobs WHERE state = 'failed'", logger: logger).collect().first?.decode(Int.self)
                heard.sweeps.withLockedValue { $0.append(failed ?? -1) }
            }
            let store = JobStore(database: database, hooks: hooks)
            _ = try await store.claim(kind: Self.kind, limit: 2, owner: "dead", lease: .seconds(30))
            try await database.query("UPDATE jobs SET lease_expires_at = now() - interval '1 second'")
            #expect(try await store.rescueExpiredLeases() == 2)
            #expect(heard.failedIDs.withLockedValue { $0 } == [ids[0]], "only the job with no attempts left failed")
            #expect(heard.reasons.withLockedValue { $0 } == ["the worker stopped or hung on the last attempt"])
            #expect(heard.sweeps.withLockedValue { $0 } == [1])
            #expect(try await state(ids[1], database).0 == "available")
        }
    }
}

/// Records what the queue told it.
final class RecordingLifecycle: JobLifecycle {
    let failedIDs = NIOLockedValueBox<[Int64]>([])
    let reasons = NIOLockedValueBox<[String]>([])
    let sweeps = NIOLockedValueBox<[Int]>([])

    func failed(jobIDs: [Int64], reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        failedIDs.withLockedValue { $0 += jobIDs }
        reasons.withLockedValue { $0.append(reason) }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
