@testable import CustodianStore
import NIOCore
import NIOPosix
import Testing

@Suite("Operation deadline")
struct OperationDeadlineTests {
    struct Refused: Error {}

    @Test("an operation that never answers and ignores cancellation gives DatabaseUnavailable after the timeout")
    func neverAnswers() async throws {
        let promise = NIOSingletons.posixEventLoopGroup.any().makePromise(of: Int.self)
        defer { promise.succeed(0) }  // lets the abandoned operation finish after the test
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: DatabaseUnavailable.self) {
            try await OperationDeadline.run(within: .milliseconds(300)) { try await promise.futureResult.get() }
        }
        let waited = clock.now - start
        #expect(waited >= .milliseconds(300) && waited < .seconds(5))
    }

    @Test("a prompt operation gives its value, and its error passes through unchanged")
    func promptOperation() async throws {
        #expect(try await OperationDeadline.run(within: .seconds(5)) { 42 } == 42)
        await #expect(throws: Refused.self) {
            try await OperationDeadline.run(within: .seconds(5)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test("cancelling the caller cancels a cancellable operation at once")
    func callerCancelled() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let caller = Task {
            try await OperationDeadline.run(within: .seconds(60)) { try await Task.sleep(for: .seconds(60)) }
        }
        try await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(clock.now - start < .seconds(5))
    }
}
