@testable import CustodianDatabase
import NIOConcurrencyHelpers
import Testing

@Suite("Deadline wheel")
struct DeadlineWheelTests {
    @Test("a deadline fires once, after its timeout and within a tick of it; the tick stops when nothing is pending")
    func fires() async throws {
        let wheel = DeadlineWheel(tick: .milliseconds(20))
        let fired = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        let clock = ContinuousClock()
        let start = clock.now
        _ = wheel.schedule(in: .milliseconds(100)) { fired.withLockedValue { $0.append(clock.now) } }
        #expect(wheel.isTicking)
        try await Task.sleep(for: .milliseconds(400))
        let firings = fired.withLockedValue { $0 }
        #expect(firings.count == 1)
        if let first = firings.first {
            #expect(first - start >= .milliseconds(100))
            #expect(first - start < .milliseconds(300))
        }
        #expect(wheel.pendingCount == 0)
        #expect(!wheel.isTicking)
    }

    @Test("a cancelled deadline never fires, and a later one restarts the stopped tick")
    func cancelled() async throws {
        let wheel = DeadlineWheel(tick: .milliseconds(20))
        let fired = NIOLockedValueBox<[String]>([])
        let token = wheel.schedule(in: .milliseconds(60)) { fired.withLockedValue { $0.append("cancelled") } }
        wheel.cancel(token)
        #expect(wheel.pendingCount == 0)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!wheel.isTicking)
        _ = wheel.schedule(in: .milliseconds(30)) { fired.withLockedValue { $0.append("kept") } }
        try await Task.sleep(for: .milliseconds(200))
        #expect(fired.withLockedValue { $0 } == ["kept"])
    }

    @Test("many deadlines from many tasks: the expired fire, the cancelled do not")
    func concurrent() async throws {
        let wheel = DeadlineWheel(tick: .milliseconds(10))
        let fired = NIOLockedValueBox<Set<Int>>([])
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let token = wheel.schedule(in: .milliseconds(50)) { fired.withLockedValue { _ = $0.insert(index) } }
                    if index.isMultiple(of: 2) { wheel.cancel(token) }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(fired.withLockedValue { $0 } == Set((0..<200).filter { !$0.isMultiple(of: 2) }))
        #expect(wheel.pendingCount == 0)
    }
}
