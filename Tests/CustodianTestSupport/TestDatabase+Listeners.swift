import CustodianStore
import Foundation
import PostgresNIO
#if canImport(Glibc)
import Glibc
#endif

/// The server processes that LISTEN on a channel, and the faults a test can put on them.
extension TestDatabase {
    /// The server processes of the connections on database `name` whose last statement named `channel` (its LISTEN,
    /// or a heartbeat that names it).
    public static func listenerProcessIDs(on name: String, channel: String) async throws -> [Int32] {
        try await onMaintenanceDatabase { database in try await listenerProcessIDs(on: name, channel: channel, database) }
    }

    /// Terminates the listeners on `channel` in database `name`, returning how many.
    @discardableResult
    public static func terminateListeners(on name: String, channel: String) async throws -> Int {
        try await onMaintenanceDatabase { database in
            let ids = try await listenerProcessIDs(on: name, channel: channel, database)
            return try await database.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM unnest(\(ids)) AS pid")
                .collect().first?.decode(Int.self) ?? 0
        }
    }

    /// Stops (SIGSTOP) the one listener on `channel` in database `name` while it waits for its client, so that its
    /// socket stays open and nothing answers, as behind a lost network; returns its pid for ``resume(serverProcess:)``.
    /// It works only on a server this machine runs, as the test command's.
    public static func stopListener(on name: String, channel: String) async throws -> Int32 {
        try await onMaintenanceDatabase { database in
            let deadline = ContinuousClock.now + .seconds(5)
            while true {
                let ids = try await listenerProcessIDs(on: name, channel: channel, database)
                guard ids.count == 1, let id = ids.first else {
                    throw TestDatabaseError("expected one listener on \(channel), found \(ids.count)")
                }
                let command = try? String(contentsOfFile: "/proc/\(id)/comm", encoding: .utf8)
                guard command?.hasPrefix("postgres") == true, kill(id, SIGSTOP) == 0 else {
                    throw TestDatabaseError("process \(id) is not a PostgreSQL server process on this machine")
                }
                // Stopped between statements only: a process stopped inside one may hold a lock that every other waits for.
                if try await isWaitingForClient(id, database) { return id }
                resume(serverProcess: id)
                guard ContinuousClock.now < deadline else { throw TestDatabaseError("listener \(id) never idle within 5 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Lets a process stopped by ``stopListener(on:channel:)`` run again.
    public static func resume(serverProcess id: Int32) {
        kill(id, SIGCONT)
    }

    private static func listenerProcessIDs(on name: String, channel: String, _ database: Database) async throws -> [Int32] {
        let rows = try await database.query("""
            SELECT pid FROM pg_stat_activity
            WHERE datname = \(name) AND strpos(query, \(channel)) > 0 AND pid <> pg_backend_pid()
            """)
        var ids: [Int32] = []
        for try await id in rows.decode(Int32.self) { ids.append(id) }
        return ids
    }

    private static func isWaitingForClient(_ id: Int32, _ database: Database) async throws -> Bool {
        try await database.query("""
            SELECT coalesce(state = 'idle' AND wait_event = 'ClientRead', false) FROM pg_stat_activity WHERE pid = \(id)
            """).collect().first?.decode(Bool.self) ?? false
    }
}
