import NIOCore

/// Runs a task's jobs on one NIO event loop. A request handled on the loop of its socket resumes there when its
/// statement's answer arrives on a connection of the same loop (``ConnectionPools``), instead of waking a thread of
/// Swift's global pool, and writes to channels of that loop without a hop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The executor the current task runs on through ``run(_:)``, for the tasks it starts (``OperationDeadline``'s
    /// work): unstructured tasks do not inherit an executor preference, but they inherit task-local values.
    @TaskLocal public static var current: EventLoopTaskExecutor?

    public let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// Runs `body`, its child tasks and the operations it bounds with ``OperationDeadline`` on this executor.
    public func run<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        try await Self.$current.withValue(self) {
            try await withTaskExecutorPreference(self, operation: body)
        }
    }
}
