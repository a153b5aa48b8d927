import CustodianStore
import CustodianTestSupport
import CustodianWorker
import ServiceLifecycle
import Testing

@Suite("Worker")
struct WorkerServiceTests {
    @Test("the worker connects, runs, and stops cleanly on graceful shutdown")
    func startsAndStops() async throws {
        try await TestDatabase.withEmpty { name in
            let database = try TestDatabase.pool(database: name)
            let worker = WorkerService(database: database, heartbeat: .milliseconds(50), logger: TestDatabase.logger)
            let group = ServiceGroup(configuration: .init(
                services: [
                    .init(service: database.client),
                    .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: TestDatabase.logger))
            let clock = ContinuousClock()
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await Task.sleep(for: .milliseconds(300))
                let stopRequested = clock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(clock.now - stopRequested < .seconds(2))
            }
        }
    }
}
