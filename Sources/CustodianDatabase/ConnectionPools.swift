import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// The connection pools of one process, run as one service: a single pool, or one per event loop, each with its
/// connections on its loop. A caller running on a loop (``EventLoopTaskExecutor``: `serve`'s requests) gets that
/// loop's pool, so its statement is written, answered and resumed on one thread; any other caller (the key cache's
/// listener, the pruner, the operations port) gets the first pool.
public struct ConnectionPools: Service, Sendable {
    /// The fewest connections a pool of one loop gets: with fewer to share, there are fewer pools, and the loops past
    /// the last pool borrow one (so the first pool keeps connections beside the listener's).
    static let minimumPerLoop = 4

    /// The pools; with one per loop, the pool of `loops[i]` is `clients[i]`.
    let clients: [PostgresClient]
    /// Every loop of the group the pools were made for, in its order (empty for a single pool).
    let loops: [ObjectIdentifier]

    /// One pool of `configuration`'s size on the default event loop group.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        clients = [PostgresClient(configuration: configuration, backgroundLogger: logger)]
        loops = []
    }

    /// One pool per loop of `group`, `configuration`'s connections (its maximum and its minimum) shared out among them,
    /// each pool at least ``minimumPerLoop`` (so fewer pools than loops when the connections are few).
    public init(configuration: PostgresClient.Configuration, onePerLoopOf group: any EventLoopGroup, logger: Logger) {
        let loops = Array(group.makeIterator())
        let maximums = Self.shares(of: configuration.options.maximumConnections, among: Self.poolCount(
            connections: configuration.options.maximumConnections, loops: loops.count))
        let minimums = Self.shares(of: configuration.options.minimumConnections, among: maximums.count)
        clients = maximums.indices.map { index in
            var share = configuration
            share.options.maximumConnections = maximums[index]
            share.options.minimumConnections = min(minimums[index], maximums[index])
            return PostgresClient(configuration: share, eventLoopGroup: loops[index], backgroundLogger: logger)
        }
        self.loops = loops.map(ObjectIdentifier.init)
    }

    /// How many loops get a pool of their own: each at least ``minimumPerLoop`` connections, at least one pool.
    static func poolCount(connections: Int, loops: Int) -> Int {
        max(1, min(loops, connections / minimumPerLoop))
    }

    /// `total` shared out as evenly as it goes among `count`, the first ones getting the remainder.
    static func shares(of total: Int, among count: Int) -> [Int] {
        (0..<count).map { total / count + ($0 < total % count ? 1 : 0) }
    }

    /// The pool for the current task: its loop's (for a loop past the last pool, the pool of its index modulo the
    /// pool count); off the loops, the first.
    public var current: PostgresClient {
        guard clients.count > 1, let loop = EventLoopTaskExecutor.current?.eventLoop,
            let index = loops.firstIndex(of: ObjectIdentifier(loop))
        else { return clients[0] }
        return clients[index % clients.count]
    }

    /// Runs every pool until the task is cancelled or the service group shuts down gracefully.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for client in clients {
                group.addTask { await client.run() }
            }
        }
    }
}
