import NIOConcurrencyHelpers

/// Bounds an operation in time without waiting for it to give up.
///
/// PostgresNIO 1.33 writes a query to the leased connection's channel without a write promise: when the server has
/// just closed that connection (a restart, `pg_terminate_backend`, a failover) and the pool does not know yet, the
/// query's own promise is never completed and the caller waits forever. Cancellation cannot reach it, so a task
/// group racing a timer would wait for it too. Here the operation runs in its own task, a deadline on the shared
/// ``DeadlineWheel`` resumes the caller with the timeout's error (``DatabaseUnavailable`` unless given) and cancels
/// the task, and whatever finishes first wins. A cancelled deadline is gone at once, where a cancelled `Task.sleep`
/// keeps its memory until its deadline on Linux (swiftlang/swift#60441).
public enum OperationDeadline {
    public static func run<Result: Sendable>(
        within timeout: Duration, timeoutError: (@Sendable () -> any Error)? = nil, _ operation: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let race = Race<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation)
                // Started on this thread up to the operation's first suspension (its write to the connection's event
                // loop), instead of enqueued for another thread of the pool to wake up for: one hop fewer per statement.
                // A request running on its event loop keeps its statement there (``EventLoopTaskExecutor``).
                let work = Task.immediate(executorPreference: EventLoopTaskExecutor.current) {
                    let outcome: Swift.Result<Result, any Error>
                    do { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
                    race.finish(with: outcome)
                }
                let deadline = DeadlineWheel.shared.schedule(in: timeout) {
                    race.finish(with: .failure(timeoutError?() ?? DatabaseUnavailable(waited: timeout)))
                    work.cancel()
                }
                race.attach(work: work, deadline: deadline)
            }
        } onCancel: {
            race.cancel()
        }
    }

    /// The caller's continuation, resumed exactly once, and the work and deadline to stop when it is.
    private final class Race<Result: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Result, any Error>?
            var work: Task<Void, Never>?
            var deadline: DeadlineWheel.Token?
            var finished = false
            var cancelled = false
        }

        private let state = NIOLockedValueBox(State())

        func start(_ continuation: CheckedContinuation<Result, any Error>) {
            state.withLockedValue { $0.continuation = continuation }
        }

        /// Keeps the work and the deadline; stops them at once when the race is already over or was cancelled.
        func attach(work: Task<Void, Never>, deadline: DeadlineWheel.Token) {
            let (over, cancelled) = state.withLockedValue { state -> (Bool, Bool) in
                state.work = work
                state.deadline = deadline
                return (state.finished, state.cancelled)
            }
            if over { DeadlineWheel.shared.cancel(deadline) }
            if cancelled { work.cancel() }
        }

        func finish(with outcome: Swift.Result<Result, any Error>) {
            let (continuation, deadline) = state.withLockedValue { state -> (CheckedContinuation<Result, any Error>?, DeadlineWheel.Token?) in
                guard !state.finished else { return (nil, nil) }
                state.finished = true
                defer { state.continuation = nil }
                return (state.continuation, state.deadline)
            }
            if let deadline { DeadlineWheel.shared.cancel(deadline) }
            continuation?.resume(with: outcome)
        }

        /// The caller was cancelled: cancel the work, which then finishes the race with its own error.
        func cancel() {
            let work = state.withLockedValue { state -> Task<Void, Never>? in
                state.cancelled = true
                return state.work
            }
            work?.cancel()
        }
    }
}
