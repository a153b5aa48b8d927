@testable import CustodianStore
import CustodianTestSupport
import NIOCore
import NIOPosix
import PostgresNIO
import Testing

@Suite("Connection pools per event loop")
struct ConnectionPoolsTests {
    @Test("a caller running on a loop gets connections of that loop and resumes on it after each statement; any other caller gets the first loop's pool")
    func callerOnItsLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name, maximumConnections: 4, onePerLoopOf: group)
            try await TestDatabase.running(database) { database in
                for loop in loops {
                    let (connectionLoop, resumedOnLoop, transactionOnLoop) = try await EventLoopTaskExecutor(eventLoop: loop).run {
                        let connectionLoop = try await database.withConnection { $0.eventLoop }
                        try await database.query("SELECT 1")
                        let resumedOnLoop = loop.inEventLoop
                        let transactionOnLoop = try await database.transaction { $0.eventLoop === loop }
                        return (connectionLoop, resumedOnLoop, transactionOnLoop)
                    }
                    #expect(connectionLoop === loop)
                    #expect(resumedOnLoop)
                    #expect(transactionOnLoop)
                }
                let elsewhere = try await database.withConnection { $0.eventLoop }
                #expect(elsewhere === loops[0])
            }
        }
        try await group.shutdownGracefully()
    }

    @Test("never more pools than connections: with two connections and three loops, the third loop's callers use the first loop's pool")
    func fewerConnectionsThanLoops() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let loops = Array(group.makeIterator())
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name, maximumConnections: 2, onePerLoopOf: group)
            try await TestDatabase.running(database) { database in
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
        try await group.shutdownGracefully()
    }
}
