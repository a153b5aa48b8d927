import CustodianDatabase
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The worker's queue loop. Per job kind it keeps up to the handler's concurrency of jobs running, claiming in batches
/// with `FOR UPDATE SKIP LOCKED` (ahead of free slots while the queue has a backlog), extending the leases it holds,
/// and writing finished jobs' results in the same fenced statement.
/// It wakes on LISTEN/NOTIFY (a ``NotificationListener``) and on a poll tick as the fallback; a maintenance loop
/// rescues expired leases (running the domain's ``JobHooks``) and prunes succeeded jobs. On graceful shutdown it stops
/// claiming, releases the jobs claimed ahead, lets running jobs finish and records them.
public struct JobRunner: Service {
    let database: Database
    let handlers: [RegisteredHandler]
    let hooks: JobHooks
    let configuration: JobRunnerConfiguration
    let logger: Logger

    /// One handler per kind: a second handler of a kind already given is a programming error.
    public init(
        database: Database, handlers: [any JobHandler], hooks: JobHooks = JobHooks(), configuration: JobRunnerConfiguration = JobRunnerConfiguration(),
        logger: Logger
    ) {
        let registered = handlers.map { RegisteredHandler($0) }
        precondition(Set(registered.map(\.kind)).count == registered.count, "one handler per job kind")
        self.database = database
        self.handlers = registered
        self.hooks = hooks
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        // No connectivity check here: a worker that starts while the database is down polls until it is back.
        logger.info("worker started", metadata: ["owner": "\(configuration.owner)", "kinds": "\(handlers.map(\.kind).joined(separator: ","))"])
        let wake = WakeSignal()
        let streams = handlers.map { wake.makeStream(kind: $0.kind) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await listen(wake: wake) }
            group.addTask { await poll(wake: wake) }
            group.addTask { await maintain() }
            group.addTask {
                // On graceful shutdown the claim loops stop waiting; a batch that is running finishes first.
                try? await gracefulShutdown()
                wake.finish()
            }
            await withTaskGroup(of: Void.self) { claimLoops in
                for (handler, stream) in zip(handlers, streams) {
                    claimLoops.addTask { await drain(handler, wakeUps: stream) }
                }
            }
            if handlers.isEmpty { try? await gracefulShutdown() }
            group.cancelAll()
        }
        logger.info("worker stopped", metadata: ["owner": "\(configuration.owner)"])
    }

    /// What a claim loop's task group reports: a job finished, a cycle statement came back, a wake-up came (a
    /// notification or a poll tick), or the worker is stopping.
    private enum LoopEvent: Sendable {
        case finished(JobResult)
        case cycled(CycleOutcome, wanted: Int)
        case woke
        case stopping
        case leaseKeeperStopped
    }

    /// How many times its concurrency a loop holds while the queue has a backlog; it claims when half of that is free,
    /// so a batch is then twice the concurrency. Measured with ../shared/peers/side-by-side.sh at concurrency 64:
    /// 4 drained about a quarter more jobs a second than 2, with less PostgreSQL CPU per job; 8 was slower than 4.
    static let backlogDepth = 4

    /// Claims and runs jobs of one kind until graceful shutdown, keeping up to the handler's concurrency running.
    /// One statement at a time writes the finished jobs' results and claims the next jobs (one commit per batch),
    /// while the loop goes on starting jobs and collecting results. It claims when at least half of what it may hold
    /// is free, or nothing is held, and on every wake-up while the last claim found the queue empty, so a new job never
    /// waits behind a slow one of its kind. While the queue has a backlog (the last claim got all it asked for) it
    /// holds up to ``backlogDepth`` times its concurrency, all but one share claimed ahead and started as slots free,
    /// so slots do not wait for the database; on graceful shutdown the jobs claimed ahead are released unstarted.
    private func drain(_ handler: RegisteredHandler, wakeUps: AsyncStream<Void>) async {
        let store = JobStore(database: database, hooks: hooks)
        let limit = handler.concurrency
        let held = HeldLeases()
        await withTaskGroup(of: LoopEvent.self) { group in
            group.addTask {
                await keepLeases(held, store: store)
                return .leaseKeeperStopped
            }
            var running = 0
            var ready: [ClaimedJob] = []
            var finished: [JobResult] = []
            var stopping = false
            var cycling = false
            var waitingForWakeUp = false
            var backlog = false
            var mustCycle = true
            // What the loop may hold (running and claimed ahead), and whether that leaves room for a claim.
            func capacity() -> Int { backlog && !stopping ? Self.backlogDepth * limit : limit }
            func worthClaiming() -> Bool {
                let holding = running + ready.count
                return holding == 0 || capacity() - holding >= max(1, capacity() / 2)
            }
            while true {
                if stopping, !ready.isEmpty {
                    await release(ready, store: store, held: held)
                    ready = []
                }
                while !stopping, running < limit, !ready.isEmpty {
                    let job = ready.removeFirst()
                    group.addTask { .finished(await execute(job, handler: handler)) }
                    running += 1
                }
                if mustCycle, !cycling {
                    let wanted = stopping ? 0 : max(0, capacity() - running - ready.count)
                    if wanted > 0 || !finished.isEmpty {
                        let results = finished
                        finished = []
                        cycling = true
                        group.addTask { .cycled(await cycle(handler, results: results, limit: wanted, store: store, held: held), wanted: wanted) }
                    }
                    mustCycle = false
                }
                if stopping, running == 0, !cycling { break }
                if !stopping, !waitingForWakeUp, running + ready.count < capacity() {
                    waitingForWakeUp = true
                    group.addTask {
                        var wakeIterator = wakeUps.makeAsyncIterator()
                        return await wakeIterator.next() == nil ? .stopping : .woke
                    }
                }
                switch await group.next() {
                case .finished(let result):
                    finished.append(result)
                    running -= 1
                    mustCycle = worthClaiming() || (stopping && running == 0)
                case .cycled(let outcome, let wanted):
                    cycling = false
                    finished = outcome.unwritten + finished
                    held.insert(outcome.claimed.map(\.id))
                    ready += outcome.claimed
                    // After a failure the next wake-up retries, rather than the loop hammering a database that is down.
                    backlog = !outcome.failed && wanted > 0 && outcome.claimed.count == wanted
                    // Again at once only with results to write or a backlog to claim from: an empty queue waits for a wake-up.
                    mustCycle = !outcome.failed && (backlog || !finished.isEmpty) && (worthClaiming() || (stopping && running == 0))
                case .woke:
                    waitingForWakeUp = false
                    mustCycle = running + ready.count < capacity() && (!backlog || worthClaiming())
                case .stopping:
                    waitingForWakeUp = false
                    stopping = true
                    mustCycle = true
                case .leaseKeeperStopped:
                    mustCycle = false
                case nil:
                    stopping = true
                    running = 0
                    mustCycle = false
                }
            }
            group.cancelAll()
        }
    }

    /// Returns jobs claimed ahead and never started to the queue, their attempt uncounted; on failure their leases
    /// expire and the rescue returns them.
    private func release(_ jobs: [ClaimedJob], store: JobStore, held: HeldLeases) async {
        let ids = jobs.map(\.id)
        held.remove(ids)
        do {
            try await store.release(ids: ids, owner: configuration.owner)
        } catch {
            logger.warning("releasing unstarted jobs failed; their leases will expire", metadata: ["count": "\(ids.count)", "error.type": "\(type(of: error))"])
        }
    }

    /// What one cycle statement did: the jobs it claimed, the results it could not write, and whether it failed.
    private struct CycleOutcome: Sendable {
        let claimed: [ClaimedJob]
        let unwritten: [JobResult]
        let failed: Bool
    }

    /// Writes the finished jobs' results (fenced by the lease owner) and leases up to `limit` jobs of the handler's
    /// kind in one statement, and stops extending the written jobs' leases. When the database fails, nothing is
    /// claimed and the results are returned, their leases still extended, to go with the next batch, rather than
    /// dropped (their jobs would run again once their leases expired); the next wake-up retries.
    private func cycle(
        _ handler: RegisteredHandler, results: [JobResult], limit: Int, store: JobStore, held: HeldLeases
    ) async -> CycleOutcome {
        guard !results.isEmpty || limit > 0 else { return CycleOutcome(claimed: [], unwritten: [], failed: false) }
        do {
            let cycle = try await store.cycle(results, kind: handler.kind, limit: limit, owner: configuration.owner, lease: configuration.lease)
            held.remove(results.map(\.jobID))
            if cycle.written.count < results.count {
                logger.warning("some results were not recorded: their lease had been taken over", metadata: ["count": "\(results.count - cycle.written.count)"])
            }
            return CycleOutcome(claimed: cycle.claimed, unwritten: [], failed: false)
        } catch {
            logger.error(
                "recording results and claiming jobs failed; the results go with the next batch",
                metadata: ["kind": "\(handler.kind)", "error.type": "\(type(of: error))"])
            return CycleOutcome(claimed: [], unwritten: results, failed: true)
        }
    }

    /// Extends the leases of the jobs this loop holds every third of the lease, until cancelled.
    private func keepLeases(_ held: HeldLeases, store: JobStore) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.lease / 3)
            let ids = held.ids
            if Task.isCancelled { return }
            if !ids.isEmpty {
                _ = try? await store.extendLeases(ids: ids, owner: configuration.owner, lease: configuration.lease)
            }
        }
    }

    private func execute(_ job: ClaimedJob, handler: RegisteredHandler) async -> JobResult {
        let startedAt = Date()
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await handler.run(job)
        let milliseconds = Int((clock.now - start) / .milliseconds(1))
        switch outcome {
        case .succeeded:
            return JobResult(jobID: job.id, attempt: job.attempt, outcome: .succeeded, retryAt: nil, error: nil, httpStatus: nil, startedAt: startedAt, durationMilliseconds: milliseconds)
        case .retry(let reason, let status, let retryAfter):
            let delay = configuration.retryPolicy.delay(afterAttempt: job.attempt, retryAfter: retryAfter)
            return JobResult(
                jobID: job.id, attempt: job.attempt, outcome: .retry, retryAt: Date().addingTimeInterval(delay), error: reason, httpStatus: status,
                startedAt: startedAt, durationMilliseconds: milliseconds)
        case .failed(let reason, let status):
            return JobResult(jobID: job.id, attempt: job.attempt, outcome: .failed, retryAt: nil, error: reason, httpStatus: status, startedAt: startedAt, durationMilliseconds: milliseconds)
        case .held(let reason):
            return JobResult(jobID: job.id, attempt: job.attempt, outcome: .held, retryAt: nil, error: reason, httpStatus: nil, startedAt: startedAt, durationMilliseconds: milliseconds)
        }
    }

    /// LISTENs on the queue's channel and signals the claim loop of each notification's kind; listens again a second
    /// after a failure.
    private func listen(wake: WakeSignal) async {
        let listener = NotificationListener(
            database: database, channel: JobQueue.notificationChannel, heartbeat: configuration.listenerHeartbeat.every,
            answerWithin: configuration.listenerHeartbeat.answerWithin)
        while !Task.isCancelled {
            do {
                try await listener.listen(listening: { wake.signal() }, notified: { kind in wake.signal(kind: kind) })
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for jobs failed; polling until it reconnects", metadata: ["error.type": "\(type(of: error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Wakes the claim loops every poll interval: the fallback for lost notifications and for retries becoming due.
    private func poll(wake: WakeSignal) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.pollInterval)
            wake.signal()
        }
    }

    /// Rescues expired leases and prunes old succeeded jobs, until cancelled.
    private func maintain() async {
        let store = JobStore(database: database, hooks: hooks)
        var lastPrune = ContinuousClock.now - .seconds(3600)
        while !Task.isCancelled {
            do {
                let rescued = try await store.rescueExpiredLeases()
                if rescued > 0 { logger.warning("rescued jobs with expired leases", metadata: ["count": "\(rescued)"]) }
                if ContinuousClock.now - lastPrune >= .seconds(3600) {
                    let pruned = try await store.pruneSucceeded(olderThan: configuration.succeededRetention)
                    lastPrune = .now
                    if pruned > 0 { logger.info("pruned succeeded jobs", metadata: ["count": "\(pruned)"]) }
                }
            } catch {
                logger.warning("queue maintenance failed", metadata: ["error.type": "\(type(of: error))"])
            }
            try? await Task.sleep(for: configuration.rescueInterval)
        }
    }
}
