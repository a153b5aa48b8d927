import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The connection pools of one process, run as one service: a single pool, or one per event loop, each with its
/// connections on its loop. A caller running on a loop (``EventLoopTaskExecutor``: `serve`'s requests) gets that
/// loop's pool, so its statement is written, answered and resumed on one thread; any other caller (the key cache's
/// listener, the pruner, the operations port) gets the first pool. A caller whose pool has every connection taken
/// borrows the pool with the most free (``withPool(_:)``): a hop to another loop costs less than a wait.
public struct ConnectionPools: Service, Sendable {
    /// The fewest connections a pool of one loop gets: with fewer to share, there are fewer pools, and the loops past
    /// the last pool borrow one (so the first pool keeps connections beside the listener's).
    static let minimumPerLoop = 4

    /// The pools; with one per loop, the pool of `loops[i]` is `clients[i]`.
    let clients: [PostgresClient]
    /// Every loop of the group the pools were made for, in its order (empty for a single pool).
    let loops: [ObjectIdentifier]
    /// How many connections of each pool ``withPool(_:)``'s callers hold or await, beside each pool's size; empty for a
    /// single pool, which has no other to borrow from.
    let occupancy: [PoolOccupancy]

    /// One pool of `configuration`'s size on the default event loop group.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        clients = [PostgresClient(configuration: configuration, backgroundLogger: logger)]
        loops = []
        occupancy = []
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
        occupancy = maximums.count > 1 ? maximums.map(PoolOccupancy.init(size:)) : []
    }

    /// How many loops get a pool of their own: each at least ``minimumPerLoop`` connections, at least one pool.
    static func poolCount(connections: Int, loops: Int) -> Int {
        max(1, min(loops, connections / minimumPerLoop))
    }

    /// `total` shared out as evenly as it goes among `count`, the first ones getting the remainder.
    static func shares(of total: Int, among count: Int) -> [Int] {
        (0..<count).map { total / count + ($0 < total % count ? 1 : 0) }
    }

    /// The index of the current task's pool: its loop's (for a loop past the last pool, the pool of its index modulo
    /// the pool count); off the loops, the first.
    var currentIndex: Int {
        guard clients.count > 1, let loop = EventLoopTaskExecutor.current?.eventLoop,
            let index = loops.firstIndex(of: ObjectIdentifier(loop))
        else { return 0 }
        return index % clients.count
    }

    /// Runs `body` with a pool for one connection's use: the current task's, unless this method's other callers hold
    /// or await all of its connections and another pool has one free, then the pool with the most free. The counts are
    /// read without a lock, so two callers may both take the last free connection; the later one waits in that pool's
    /// queue.
    public func withPool<Result>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        guard !occupancy.isEmpty else { return try await body(clients[0]) }
        var index = currentIndex
        if occupancy[index].held.load(ordering: .relaxed) >= occupancy[index].size {
            index = Self.choose(own: index, held: occupancy.map { $0.held.load(ordering: .relaxed) }, sizes: occupancy.map(\.size))
        }
        occupancy[index].held.add(1, ordering: .relaxed)
        defer { occupancy[index].held.subtract(1, ordering: .relaxed) }
        return try await body(clients[index])
    }

    /// The pool to use: `own` while it has a free connection (or no other pool has more free), else the pool with the
    /// most free.
    static func choose(own: Int, held: [Int], sizes: [Int]) -> Int {
        var best = own
        var bestFree = sizes[own] - held[own]
        guard bestFree <= 0 else { return own }
        for index in sizes.indices where sizes[index] - held[index] > bestFree {
            best = index
            bestFree = sizes[index] - held[index]
        }
        return bestFree > 0 ? best : own
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

/// How many connections of one pool ``ConnectionPools/withPool(_:)``'s callers hold or await, and how many it has.
final class PoolOccupancy: Sendable {
    let size: Int
    let held = Atomic<Int>(0)

    init(size: Int) { self.size = size }
}
