@testable import CustodianDatabase
import CustodianStore
import CustodianTestSupport
import NIOCore
import NIOPosix
import PostgresNIO
import Testing

@Suite("Connection pools per event loop")
struct ConnectionPoolsTests {
    @Test("a caller running on a loop gets connections of that loop, its statements run and resume there; any other caller gets the first loop's pool")
    func callerOnItsLoop() async throws {
        try await withPools(loops: 2, connections: 8) { database, loops in
            for loop in loops {
                let (connectionLoop, workOnLoop, resumedOnLoop, transactionOnLoop) = try await EventLoopTaskExecutor(eventLoop: loop).run {
                    let connectionLoop = try await database.withConnection { $0.eventLoop }
                    let workOnLoop = try await database.withConnection { _ in loop.inEventLoop }
                    try await database.query("SELECT 1")
                    let resumedOnLoop = loop.inEventLoop
                    let transactionOnLoop = try await database.transaction { $0.eventLoop === loop }
                    return (connectionLoop, workOnLoop, resumedOnLoop, transactionOnLoop)
                }
                #expect(connectionLoop === loop)
                #expect(workOnLoop)
                #expect(resumedOnLoop)
                #expect(transactionOnLoop)
            }
            let elsewhere = try await database.withConnection { $0.eventLoop }
            #expect(elsewhere === loops[0])
        }
    }

    @Test("a loop past the last pool borrows the pool of its index modulo the pool count")
    func loopsPastTheLastPool() async throws {
        // 8 connections, at least 4 per pool: two pools, on the first two loops.
        try await withPools(loops: 3, connections: 8) { database, loops in
            var connectionLoops: [any EventLoop] = []
            for loop in loops {
                connectionLoops.append(try await EventLoopTaskExecutor(eventLoop: loop).run {
                    try await database.withConnection { $0.eventLoop }
                })
            }
            #expect(connectionLoops[0] === loops[0])
            #expect(connectionLoops[1] === loops[1])
            #expect(connectionLoops[2] === loops[0])
        }
    }

    @Test("two connections on two loops make one pool: with the listener holding one, callers on either loop still get the other")
    func fewConnectionsOnePool() async throws {
        try await withPools(loops: 2, connections: 2) { database, loops in
            let listening = AsyncStream<Void>.makeStream()
            let listener = Task {
                try await NotificationListener(database: database, channel: "pools_test").listen(
                    listening: { listening.continuation.yield() }, notified: { _ in })
            }
            defer { listener.cancel() }
            for await _ in listening.stream { break }
            for loop in loops {
                let answer = try await EventLoopTaskExecutor(eventLoop: loop).run {
                    try await database.query("SELECT 41 + 1").rows.first?.decode(Int.self)
                }
                #expect(answer == 42)
            }
        }
    }

    @Test("a caller whose loop's pool has every connection taken borrows the other loop's pool, and gets its own again once one is free")
    func borrowsWhenItsPoolIsFull() async throws {
        // 8 connections on two loops: two pools of 4.
        try await withPools(loops: 2, connections: 8) { database, loops in
            let holders = (0..<4).map { _ in AsyncStream<Void>.makeStream() }
            let taken = AsyncStream<Void>.makeStream()
            let (borrowed, own) = try await EventLoopTaskExecutor(eventLoop: loops[0]).run {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for holder in holders {
                        group.addTask {
                            do {
                                return try await database.withConnection { connection in
                                    taken.continuation.yield()
                                    for await _ in holder.stream {}
                                    return connection.eventLoop === loops[0]
                                }
                            } catch {
                                taken.continuation.finish()
                                throw error
                            }
                        }
                    }
                    var count = 0
                    for await _ in taken.stream {
                        count += 1
                        if count == holders.count { break }
                    }
                    try #require(count == holders.count, "a holder failed before it held its connection")
                    let borrowed = try await database.withConnection { $0.eventLoop }
                    holders[0].continuation.finish()
                    #expect(try await group.next() == true)
                    let own = try await database.withConnection { $0.eventLoop }
                    for holder in holders.dropFirst() { holder.continuation.finish() }
                    for try await heldOnOwnLoop in group { #expect(heldOnOwnLoop) }
                    return (borrowed, own)
                }
            }
            #expect(borrowed === loops[1])
            #expect(own === loops[0])
        }
    }

    @Test("an operation left running past its deadline gives its pool's count back when its caller is answered")
    func countGivenBackAtTheDeadline() async throws {
        try await withPools(loops: 2, connections: 8, operationTimeout: .milliseconds(300)) { database, loops in
            let started = ContinuousClock.now
            await #expect(throws: DatabaseUnavailable.self) {
                try await EventLoopTaskExecutor(eventLoop: loops[0]).run {
                    try await database.withConnection { _ in
                        // Deaf to the deadline's cancellation, as a statement on a connection the server closed is.
                        while ContinuousClock.now - started < .seconds(2) { try? await Task.sleep(for: .milliseconds(50)) }
                    }
                }
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(database.pools.occupancy.map { $0.held.load(ordering: .relaxed) } == [0, 0])
        }
    }

    @Test("the pool chosen: one's own while it has a connection free, else the one with the most free, else one's own")
    func choice() {
        #expect(ConnectionPools.choose(own: 0, held: [3, 0], sizes: [4, 4]) == 0)
        #expect(ConnectionPools.choose(own: 0, held: [4, 1], sizes: [4, 4]) == 1)
        #expect(ConnectionPools.choose(own: 1, held: [2, 6], sizes: [4, 4]) == 0)
        #expect(ConnectionPools.choose(own: 0, held: [5, 3, 1], sizes: [4, 4, 4]) == 2)
        #expect(ConnectionPools.choose(own: 0, held: [4, 4], sizes: [4, 4]) == 0)
        #expect(ConnectionPools.choose(own: 1, held: [4, 9], sizes: [4, 4]) == 1)
    }

    /// Runs `body` with a fresh database's pools, `connections` shared out among the loops of a new group of `loops`
    /// threads (an operation waits at most `operationTimeout`), and those loops.
    private func withPools(
        loops count: Int, connections: Int, operationTimeout: Duration = .seconds(5),
        _ body: @Sendable (Database, [any EventLoop]) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: count)
        let loops = Array(group.makeIterator())
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(
                database: name, maximumConnections: connections, operationTimeout: operationTimeout, onePerLoopOf: group)
            try await TestDatabase.running(database) { try await body($0, loops) }
        }
        try await group.shutdownGracefully()
    }

    @Test("connections are shared out evenly, the first pools taking the remainder, with at least four per pool")
    func shares() {
        #expect(ConnectionPools.shares(of: 20, among: 2) == [10, 10])
        #expect(ConnectionPools.shares(of: 20, among: 3) == [7, 7, 6])
        #expect(ConnectionPools.shares(of: 0, among: 3) == [0, 0, 0])
        #expect(ConnectionPools.poolCount(connections: 20, loops: 2) == 2)
        #expect(ConnectionPools.poolCount(connections: 20, loops: 8) == 5)
        #expect(ConnectionPools.poolCount(connections: 7, loops: 2) == 1)
        #expect(ConnectionPools.poolCount(connections: 2, loops: 2) == 1)
    }
}
