import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Deadlines for many short operations at the cost of a lock each: one repeating tick on an event loop fires the
/// expired ones, instead of a timer per operation (scheduling and cancelling a NIO timer from outside its event loop
/// wakes that loop twice, on every database statement). A deadline fires up to one ``tick`` late. The tick runs only
/// while deadlines are pending.
final class DeadlineWheel: Sendable {
    /// The wheel every ``OperationDeadline`` uses.
    static let shared = DeadlineWheel(tick: .milliseconds(50))

    /// A pending deadline, to cancel it.
    struct Token: Sendable {
        fileprivate let id: UInt64
    }

    private struct Pending {
        let deadline: NIODeadline
        let fire: @Sendable () -> Void
    }

    private enum Tick {
        case idle
        case starting
        case running(RepeatedTask)
    }

    private struct State {
        var pending: [UInt64: Pending] = [:]
        var nextID: UInt64 = 0
        var tick: Tick = .idle
    }

    private let tick: TimeAmount
    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    init(tick: TimeAmount, eventLoop: any EventLoop = NIOSingletons.posixEventLoopGroup.next()) {
        self.tick = tick
        self.eventLoop = eventLoop
    }

    /// Calls `fire` once `timeout` has passed, unless cancelled first.
    func schedule(in timeout: Duration, _ fire: @escaping @Sendable () -> Void) -> Token {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout / .nanoseconds(1)))
        let (id, startTicking) = state.withLockedValue { state -> (UInt64, Bool) in
            state.nextID += 1
            state.pending[state.nextID] = Pending(deadline: deadline, fire: fire)
            guard case .idle = state.tick else { return (state.nextID, false) }
            state.tick = .starting
            return (state.nextID, true)
        }
        if startTicking { startTick() }
        return Token(id: id)
    }

    /// Forgets a deadline; nothing happens when it has fired already.
    func cancel(_ token: Token) {
        state.withLockedValue { _ = $0.pending.removeValue(forKey: token.id) }
    }

    /// How many deadlines are pending (for tests).
    var pendingCount: Int { state.withLockedValue { $0.pending.count } }

    /// Whether the tick is running (for tests).
    var isTicking: Bool {
        state.withLockedValue { state in
            if case .idle = state.tick { return false }
            return true
        }
    }

    private func startTick() {
        let task = eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { [self] task in
            fireExpired(stoppingWhenIdle: task)
        }
        state.withLockedValue { state in
            // The tick may have found nothing pending and stopped itself already; then it stays stopped.
            if case .starting = state.tick { state.tick = .running(task) }
        }
    }

    private func fireExpired(stoppingWhenIdle task: RepeatedTask) {
        let now = NIODeadline.now()
        let expired = state.withLockedValue { state -> [Pending] in
            let due = state.pending.filter { $0.value.deadline <= now }
            for id in due.keys { state.pending.removeValue(forKey: id) }
            if state.pending.isEmpty {
                state.tick = .idle
                task.cancel()
            }
            return Array(due.values)
        }
        for pending in expired { pending.fire() }
    }
}
