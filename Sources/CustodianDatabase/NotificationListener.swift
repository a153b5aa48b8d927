import Logging
import PostgresNIO

/// LISTENs on one channel on a connection of its own, hardened against the ways such a connection fails silently:
/// a ping before LISTEN (which has no deadline of its own) finds a connection that died in the pool, a heartbeat that
/// must answer within `answerWithin` finds one that died without a sound (a stopped server, a lost network), and the
/// connection is closed however listening ends, so the pool never leases it again while it may still owe an answer.
/// The API key cache and the worker's wake-ups both listen through it.
public struct NotificationListener: Sendable {
    let database: Database
    let channel: String
    let heartbeat: Duration
    let answerWithin: Duration

    /// `channel` is a fixed identifier of the caller's (`[a-z_]+`): its heartbeat names it, so `pg_stat_activity`
    /// shows which connection listens.
    public init(database: Database, channel: String, heartbeat: Duration = .seconds(10), answerWithin: Duration = .seconds(5)) {
        precondition(!channel.isEmpty && channel.allSatisfy { $0 == "_" || ("a"..."z").contains($0) }, "a channel is [a-z_]+")
        self.database = database
        self.channel = channel
        self.heartbeat = heartbeat
        self.answerWithin = answerWithin
    }

    /// Listens until cancelled or the connection fails (then it throws): `listening` once LISTEN is in effect, then
    /// `notified` with each notification's payload.
    public func listen(listening: @escaping @Sendable () -> Void, notified: @escaping @Sendable (String) -> Void) async throws {
        let logger = database.logger
        let heartbeatQuery = PostgresQuery(unsafeSQL: "SELECT 'heartbeat of the listener on \(channel)'")
        let ping = { @Sendable [answerWithin] (connection: PostgresConnection) in
            try await OperationDeadline.run(within: answerWithin) { _ = try await connection.query(heartbeatQuery, logger: logger) }
        }
        // A pool's client directly: the operation deadline would end a listener that is meant to run for hours.
        try await database.pools.withPool { client in
            try await client.withConnection { [channel, heartbeat] connection in
                let failure: (any Error)?
                do {
                    try await ping(connection)
                    try await connection.listen(on: channel) { notifications in
                        // LISTEN takes effect when its implicit transaction commits, after the answer the call above
                        // awaited; the connection runs this only after that commit.
                        try await ping(connection)
                        listening()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in notifications { notified(notification.payload) }
                            }
                            group.addTask {
                                while true {
                                    try await Task.sleep(for: heartbeat)
                                    try await ping(connection)
                                }
                            }
                            // Whichever ends first (the notifications on cancellation, either by an error) ends both.
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                    failure = nil
                } catch {
                    failure = error
                }
                // Closed before it goes back: the server may have closed it (the pool could hand it out before it
                // notices), or it may still owe an answer to a heartbeat that timed out.
                try? await connection.close()
                if let failure { throw failure }
            }
        }
    }
}
