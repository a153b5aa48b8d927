import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// The connection pools of one process, run as one service: a single pool, or one per event loop, each with its
/// connections on its loop. A caller running on a loop (``EventLoopTaskExecutor``: `serve`'s requests) gets that
/// loop's pool, so its statement is written, answered and resumed on one thread; any other caller gets the first.
public struct ConnectionPools: Service, Sendable {
    /// A pool, and the loop its connections live on (nil: any loop of the default group).
    struct Pool: Sendable {
        let eventLoop: (any EventLoop)?
        let client: PostgresClient
    }

    let pools: [Pool]

    /// One pool of `configuration`'s size on the default event loop group.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        pools = [Pool(eventLoop: nil, client: PostgresClient(configuration: configuration, backgroundLogger: logger))]
    }

    /// One pool per loop of `group` (at most one per connection), `configuration`'s connections shared out among them.
    public init(configuration: PostgresClient.Configuration, onePerLoopOf group: any EventLoopGroup, logger: Logger) {
        let loops = Array(group.makeIterator())
        let total = configuration.options.maximumConnections
        let count = max(1, min(loops.count, total))
        pools = (0..<count).map { index in
            var share = configuration
            share.options.maximumConnections = total / count + (index < total % count ? 1 : 0)
            share.options.minimumConnections = min(configuration.options.minimumConnections, share.options.maximumConnections)
            return Pool(eventLoop: loops[index], client: PostgresClient(configuration: share, eventLoopGroup: loops[index], backgroundLogger: logger))
        }
    }

    /// The pool for the current task: its loop's, or the first.
    public var current: PostgresClient {
        if let loop = EventLoopTaskExecutor.current?.eventLoop, let pool = pools.first(where: { $0.eventLoop === loop }) {
            return pool.client
        }
        return pools[0].client
    }

    /// Runs every pool until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for pool in pools {
                group.addTask { await pool.client.run() }
            }
        }
    }
}
