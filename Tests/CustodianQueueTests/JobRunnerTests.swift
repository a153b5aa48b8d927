import CustodianDatabase
import CustodianQueue
import CustodianTestSupport
import Foundation
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing

/// A handler for the tests: counts runs per job, optionally asks for one retry per job or takes its time.
final class RecordingHandler: JobHandler {
    typealias Kind = TestJob
    let concurrency: Int
    let retryFirst: Bool
    let duration: Duration
    private let runs = NIOLockedValueBox<[Int64: Int]>([:])
    private let active = NIOLockedValueBox<(now: Int, peak: Int)>((0, 0))

    init(concurrency: Int = 4, retryFirst: Bool = false, duration: Duration = .zero) {
        self.concurrency = concurrency
        self.retryFirst = retryFirst
        self.duration = duration
    }

    func run(_ job: Job<TestJob>) async -> JobOutcome {
        let count = runs.withLockedValue { runs in
            runs[job.id, default: 0] += 1
            return runs[job.id]!
        }
        active.withLockedValue { $0 = ($0.now + 1, max($0.peak, $0.now + 1)) }
        defer { active.withLockedValue { $0.now -= 1 } }
        if duration > .zero { try? await Task.sleep(for: duration) }
        if retryFirst, count == 1 { return .retry(reason: "HTTP 503", httpStatus: 503, retryAfter: nil) }
        return .succeeded
    }

    var runCounts: [Int64: Int] { runs.withLockedValue { $0 } }
    var peakConcurrency: Int { active.withLockedValue { $0.peak } }
}

/// A handler for the tests whose first job (`n == 0`) runs until `release()`; the others finish at once.
final class GatedHandler: JobHandler {
    typealias Kind = TestJob
    let concurrency: Int
    private let state = NIOLockedValueBox<(released: Bool, finished: [Int])>((false, []))

    init(concurrency: Int) {
        self.concurrency = concurrency
    }

    func run(_ job: Job<TestJob>) async -> JobOutcome {
        if job.payload.n == 0 {
            while !state.withLockedValue({ $0.released }) { try? await Task.sleep(for: .milliseconds(20)) }
        }
        state.withLockedValue { $0.finished.append(job.payload.n) }
        return .succeeded
    }

    func release() { state.withLockedValue { $0.released = true } }
    /// The payloads' numbers in the order their jobs finished.
    var finished: [Int] { state.withLockedValue { $0.finished } }
}

@Suite("Job runner")
struct JobRunnerTests {
    static let fastRetries = RetryPolicy(base: 0.05, cap: 0.2)

    func enqueue(_ count: Int, _ database: Database) async throws -> [Int64] {
        try await database.transaction { connection in
            var ids: [Int64] = []
            for index in 0..<count {
                if let id = try await JobQueue.enqueue(TestJob.self, .init(n: index), on: connection, logger: TestDatabase.logger) {
                    ids.append(id)
                }
            }
            return ids
        }
    }

    /// Runs `runners` in one service group until `until` holds (checked every 50 ms, at most `limit`), then stops them gracefully.
    func run(_ runners: [JobRunner], database: Database, limit: Duration = .seconds(20), until: @escaping @Sendable () async throws -> Bool) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: database.pools)] + runners.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            logger: TestDatabase.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let clock = ContinuousClock()
            let deadline = clock.now + limit
            while clock.now < deadline {
                if try await until() { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func count(_ state: String, _ database: Database) async throws -> Int {
        try await database.query("SELECT count(*) FROM jobs WHERE state = \(state)").collect().first?.decode(Int.self) ?? 0
    }

    @Test("two workers drain one queue: every job runs exactly once, within each worker's concurrency")
    func twoWorkers() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name, maximumConnections: 20)
            let ids = try await TestDatabase.running(try TestDatabase.pool(database: name)) { try await enqueue(120, $0) }
            let handlers = [RecordingHandler(concurrency: 4, duration: .milliseconds(5)), RecordingHandler(concurrency: 4, duration: .milliseconds(5))]
            let runners = handlers.enumerated().map { index, handler in
                JobRunner(database: database, handlers: [handler], configuration: .init(owner: "worker-\(index)"), logger: TestDatabase.logger)
            }
            try await run(runners, database: database) { try await count("succeeded", database) == 120 }
            let merged = handlers.map(\.runCounts).reduce(into: [Int64: Int]()) { $0.merge($1, uniquingKeysWith: +) }
            #expect(Set(merged.keys) == Set(ids))
            #expect(merged.values.allSatisfy { $0 == 1 }, "a job ran twice")
            #expect(handlers.allSatisfy { !$0.runCounts.isEmpty }, "both workers took part")
            #expect(handlers.allSatisfy { $0.peakConcurrency <= 4 })
            try await TestDatabase.running(try TestDatabase.pool(database: name)) { database in
                #expect(try await count("succeeded", database) == 120)
                let attempts = try await database.query("SELECT count(*) FROM job_attempts WHERE outcome = 'succeeded'").collect().first?.decode(Int.self)
                #expect(attempts == 120)
            }
        }
    }

    @Test("results the database would not take are written with a later batch, their leases kept: the job does not run again")
    func unwrittenResultsAreKept() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name, maximumConnections: 10)
            // Attempt rows are refused while the switch is on, so the completion statement fails as a whole.
            try await TestDatabase.running(try TestDatabase.pool(database: name, role: .administrator)) { setup in
                _ = try await enqueue(1, setup)
                try await setup.query("CREATE TABLE refuse_results (on_ boolean)")
                try await setup.query("GRANT SELECT, DELETE ON refuse_results TO custodian_app")
                try await setup.query("INSERT INTO refuse_results VALUES (true)")
                try await setup.query("""
                    CREATE FUNCTION refuse_result() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF EXISTS (SELECT 1 FROM refuse_results) THEN RAISE EXCEPTION 'results refused'; END IF;
                        RETURN NEW;
                    END $$
                    """)
                try await setup.query("CREATE TRIGGER refuse_result BEFORE INSERT ON job_attempts FOR EACH ROW EXECUTE FUNCTION refuse_result()")
            }
            let handler = RecordingHandler(concurrency: 4)
            // A lease shorter than the refusal lasts: were the leases not kept, the job would be rescued and run again.
            let runner = JobRunner(
                database: database, handlers: [handler],
                configuration: .init(owner: "w", lease: .seconds(1), pollInterval: .milliseconds(100), rescueInterval: .milliseconds(200)),
                logger: TestDatabase.logger)
            let clock = ContinuousClock()
            let refusedUntil = clock.now + .seconds(3)
            try await run([runner], database: database) {
                if clock.now >= refusedUntil { try await database.query("DELETE FROM refuse_results") }
                return try await count("succeeded", database) == 1
            }
            #expect(handler.runCounts.values.sorted() == [1], "the job ran once")
            try await TestDatabase.running(try TestDatabase.pool(database: name)) { database in
                #expect(try await count("succeeded", database) == 1)
                let attempts = try await database.query("SELECT count(*) FROM job_attempts").collect().first?.decode(Int.self)
                #expect(attempts == 1)
            }
        }
    }

    @Test("the server drops every connection of the worker mid-drain, three times: the worker reconnects and every job succeeds")
    func droppedConnections() async throws {
        try await TestDatabase.withMigratedName { name in
            // A query sent on a connection the server has just closed is never answered (PostgresNIO 1.33): the
            // operation deadline turns that into an error the worker retries, here after 5 s.
            let database = try TestDatabase.pool(database: name, maximumConnections: 6, operationTimeout: .seconds(5))
            let observer = try TestDatabase.pool(database: name)
            try await TestDatabase.running(observer) { observer in
                let ids = try await enqueue(300, observer)
                let handler = RecordingHandler(concurrency: 4, duration: .milliseconds(10))
                let runner = JobRunner(
                    database: database, handlers: [handler],
                    configuration: .init(owner: "w", lease: .seconds(2), pollInterval: .milliseconds(100), rescueInterval: .milliseconds(500),
                                         retryPolicy: Self.fastRetries),
                    logger: TestDatabase.logger)
                let drops = NIOLockedValueBox<[Int]>([])
                try await run([runner], database: database, limit: .seconds(90)) {
                    // The observer's own connections are dropped too: a failed look just means "not yet".
                    guard let succeeded = try? await count("succeeded", observer) else { return false }
                    let dropped = drops.withLockedValue { $0.count }
                    if dropped < 3, succeeded >= 60 * (dropped + 1) {
                        let terminated = try await TestDatabase.terminateConnections(to: name)
                        drops.withLockedValue { $0.append(terminated) }
                    }
                    return succeeded == 300
                }
                let terminated = drops.withLockedValue { $0 }
                #expect(terminated.count == 3 && terminated.allSatisfy { $0 > 0 }, "connections were dropped three times: \(terminated)")
                #expect(Set(handler.runCounts.keys) == Set(ids))
                #expect(handler.peakConcurrency <= 4)
            }
            // A fresh pool: the observer's idle connections were dropped too.
            #expect(try await TestDatabase.running(try TestDatabase.pool(database: name)) { try await count("succeeded", $0) } == 300)
        }
    }

    @Test("a job that asks for a retry runs again after the backoff and then succeeds")
    func retries() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = RecordingHandler(retryFirst: true)
            let runner = JobRunner(
                database: database, handlers: [handler],
                configuration: .init(owner: "w", pollInterval: .milliseconds(50), retryPolicy: Self.fastRetries), logger: TestDatabase.logger)
            let ids = try await TestDatabase.running(try TestDatabase.pool(database: name)) { try await enqueue(5, $0) }
            try await run([runner], database: database) { try await count("succeeded", database) == 5 }
            #expect(handler.runCounts == Dictionary(uniqueKeysWithValues: ids.map { ($0, 2) }))
            try await TestDatabase.running(try TestDatabase.pool(database: name)) { database in
                let outcomes = try await database.query("SELECT outcome FROM job_attempts ORDER BY job_id, attempt").collect().map { try $0.decode(String.self) }
                #expect(outcomes == Array(repeating: ["retry", "succeeded"], count: 5).flatMap { $0 })
            }
        }
    }

    @Test("a notification wakes an idle worker long before its poll interval")
    func notifyWakesWorker() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = RecordingHandler()
            let runner = JobRunner(
                database: database, handlers: [handler], configuration: .init(owner: "w", pollInterval: .seconds(120)), logger: TestDatabase.logger)
            let enqueuedAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
            let setup = try TestDatabase.pool(database: name)
            try await TestDatabase.running(setup) { setup in
                try await run([runner], database: database, limit: .seconds(10)) {
                    if enqueuedAt.withLockedValue({ $0 }) == nil {
                        try await Task.sleep(for: .milliseconds(500))  // let the worker claim nothing and go idle
                        _ = try await enqueue(1, setup)
                        enqueuedAt.withLockedValue { $0 = .now }
                    }
                    return !handler.runCounts.isEmpty
                }
            }
            let started = try #require(enqueuedAt.withLockedValue { $0 })
            #expect(handler.runCounts.count == 1)
            #expect(ContinuousClock.now - started < .seconds(8), "woken by NOTIFY, not by the 120 s poll")
        }
    }

    @Test("graceful shutdown lets a running job finish and records it; an idle worker stops at once")
    func gracefulShutdown() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = RecordingHandler(duration: .milliseconds(800))
            let runner = JobRunner(database: database, handlers: [handler], configuration: .init(owner: "w"), logger: TestDatabase.logger)
            _ = try await TestDatabase.running(try TestDatabase.pool(database: name)) { try await enqueue(1, $0) }
            try await run([runner], database: database) { !handler.runCounts.isEmpty }
            let succeeded = try await TestDatabase.running(try TestDatabase.pool(database: name)) { try await count("succeeded", $0) }
            #expect(succeeded == 1)
            let idlePool = try TestDatabase.pool(database: name)
            let idle = JobRunner(database: idlePool, handlers: [], configuration: .init(owner: "idle"), logger: TestDatabase.logger)
            let clock = ContinuousClock()
            let start = clock.now
            try await run([idle], database: idlePool, limit: .milliseconds(200)) { false }
            #expect(clock.now - start < .seconds(3))
        }
    }

    @Test("a job enqueued while a slow job of its kind runs is claimed at once, not after the slow one")
    func newJobPassesSlowOne() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = GatedHandler(concurrency: 4)
            let runner = JobRunner(
                database: database, handlers: [handler], configuration: .init(owner: "w", pollInterval: .seconds(120)), logger: TestDatabase.logger)
            let setup = try TestDatabase.pool(database: name)
            let enqueuedAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
            let waited = NIOLockedValueBox<Duration?>(nil)
            try await TestDatabase.running(setup) { setup in
                _ = try await enqueue(1, setup)  // n = 0: holds its slot until released
                try await run([runner], database: database, limit: .seconds(15)) {
                    if enqueuedAt.withLockedValue({ $0 }) == nil {
                        guard try await count("running", setup) == 1 else { return false }
                        try await Task.sleep(for: .milliseconds(300))  // the loop has claimed and waits
                        _ = try await setup.transaction { try await JobQueue.enqueue(TestJob.self, .init(n: 1), on: $0, logger: TestDatabase.logger) }
                        enqueuedAt.withLockedValue { $0 = .now }
                    }
                    if waited.withLockedValue({ $0 }) == nil, handler.finished == [1], let start = enqueuedAt.withLockedValue({ $0 }) {
                        waited.withLockedValue { $0 = .now - start }
                        handler.release()
                    }
                    if enqueuedAt.withLockedValue({ $0 }).map({ .now - $0 > .seconds(10) }) == true { handler.release() }
                    return handler.finished.count == 2
                }
            }
            #expect(handler.finished == [1, 0], "the new job finished while the slow one still ran")
            let wait = try #require(waited.withLockedValue { $0 })
            #expect(wait < .seconds(5), "woken by NOTIFY while a job of its kind ran; waited \(wait)")
        }
    }

    @Test("with a backlog a loop claims up to four times its concurrency; stopping, it releases the jobs it has not started, their attempt uncounted")
    func claimsAheadAndReleases() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = RecordingHandler(concurrency: 2, duration: .milliseconds(600))
            let runner = JobRunner(database: database, handlers: [handler], configuration: .init(owner: "w"), logger: TestDatabase.logger)
            let setup = try TestDatabase.pool(database: name)
            try await TestDatabase.running(setup) { setup in
                _ = try await enqueue(10, setup)
                let leased = NIOLockedValueBox(0)
                try await run([runner], database: database, limit: .seconds(10)) {
                    let now = try await count("running", setup)
                    leased.withLockedValue { $0 = max($0, now) }
                    return now == 8
                }
                #expect(leased.withLockedValue { $0 } == 8, "two running and six claimed ahead")
                #expect(handler.peakConcurrency <= 2)
                #expect(try await count("running", setup) == 0)
                let succeeded = try await count("succeeded", setup)
                #expect(succeeded == handler.runCounts.count && handler.runCounts.values.allSatisfy { $0 == 1 })
                let available = try await setup.query("SELECT attempt FROM jobs WHERE state = 'available'").collect().map { try $0.decode(Int.self) }
                #expect(succeeded + available.count == 10)
                #expect(available.allSatisfy { $0 == 0 }, "released jobs count no attempt: \(available)")
            }
        }
    }

    @Test("a job whose payload does not decode as its kind's fails at once, without reaching the handler")
    func undecodablePayload() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = RecordingHandler()
            let runner = JobRunner(
                database: database, handlers: [handler], configuration: .init(owner: "w", pollInterval: .milliseconds(50)), logger: TestDatabase.logger)
            _ = try await TestDatabase.running(try TestDatabase.pool(database: name)) { setup in
                try await setup.query(#"INSERT INTO jobs (kind, payload) VALUES (\#(TestJob.name), '{"n":"not a number"}')"#)
            }
            try await run([runner], database: database) { try await count("failed", database) == 1 }
            #expect(handler.runCounts.isEmpty)
            let reason = try await TestDatabase.running(try TestDatabase.pool(database: name)) { database in
                try await database.query("SELECT last_error FROM jobs").collect().first?.decode(String?.self)
            }
            #expect(reason == "the payload does not decode as test_job")
        }
    }

    @Test("a listening connection that stops answering is found by the heartbeat and replaced: a notification wakes the worker again")
    func silentListener() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            let handler = RecordingHandler()
            let runner = JobRunner(
                database: database, handlers: [handler],
                configuration: .init(owner: "w", pollInterval: .seconds(120), listenerHeartbeat: (.milliseconds(200), .seconds(1))),
                logger: TestDatabase.logger)
            let setup = try TestDatabase.pool(database: name)
            let enqueuedAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
            let stopped = NIOLockedValueBox<Int32?>(nil)
            defer {
                if let pid = stopped.withLockedValue({ $0 }) { TestDatabase.resume(serverProcess: pid) }
            }
            try await TestDatabase.running(setup) { setup in
                try await run([runner], database: database, limit: .seconds(20)) {
                    if stopped.withLockedValue({ $0 }) == nil {
                        try await Task.sleep(for: .milliseconds(500))  // the worker listens, claims nothing, goes idle
                        let pid = try await TestDatabase.stopListener(on: name, channel: JobQueue.notificationChannel)
                        stopped.withLockedValue { $0 = pid }
                        return false
                    }
                    if enqueuedAt.withLockedValue({ $0 }) == nil {
                        let listeners = try await TestDatabase.listenerProcessIDs(on: name, channel: JobQueue.notificationChannel)
                        guard listeners.contains(where: { $0 != stopped.withLockedValue { $0 } }) else { return false }
                        _ = try await enqueue(1, setup)
                        enqueuedAt.withLockedValue { $0 = .now }
                    }
                    return !handler.runCounts.isEmpty
                }
            }
            let started = try #require(enqueuedAt.withLockedValue { $0 }, "a new listener replaced the silent one")
            #expect(handler.runCounts.count == 1)
            #expect(ContinuousClock.now - started < .seconds(10), "woken by NOTIFY on the new connection, not by the 120 s poll")
        }
    }
}
