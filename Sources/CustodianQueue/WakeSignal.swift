import NIOConcurrencyHelpers

/// Wakes the claim loops of a worker: each loop waits on its own stream, a notification naming a kind wakes that
/// kind's loop, and a poll tick (or a notification naming no kind the worker runs) wakes all of them. Extra signals
/// while a loop is busy collapse into one.
final class WakeSignal: Sendable {
    private let continuations = NIOLockedValueBox<[(kind: String, continuation: AsyncStream<Void>.Continuation)]>([])

    /// A stream for the claim loop of `kind` that yields once per signal, keeping only the newest pending one.
    func makeStream(kind: String) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuations.withLockedValue { $0.append((kind, continuation)) }
        return stream
    }

    /// Wakes every loop.
    func signal() {
        for entry in continuations.withLockedValue({ $0 }) { entry.continuation.yield() }
    }

    /// Wakes the loop of `kind`, or every loop when no loop runs that kind.
    func signal(kind: String) {
        let loops = continuations.withLockedValue { $0.filter { $0.kind == kind } }
        if loops.isEmpty { return signal() }
        for entry in loops { entry.continuation.yield() }
    }

    func finish() {
        for entry in continuations.withLockedValue({ $0 }) { entry.continuation.finish() }
    }
}
