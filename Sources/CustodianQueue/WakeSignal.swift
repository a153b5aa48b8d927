import NIOConcurrencyHelpers

/// Wakes the claim loops of a worker: each loop waits on its own stream, and a notification (or a finished batch)
/// signals all of them. Extra signals while a loop is busy collapse into one.
final class WakeSignal: Sendable {
    private let continuations = NIOLockedValueBox<[AsyncStream<Void>.Continuation]>([])

    /// A stream that yields once per signal, keeping only the newest pending one.
    func makeStream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuations.withLockedValue { $0.append(continuation) }
        return stream
    }

    func signal() {
        for continuation in continuations.withLockedValue({ $0 }) { continuation.yield() }
    }

    func finish() {
        for continuation in continuations.withLockedValue({ $0 }) { continuation.finish() }
    }
}
