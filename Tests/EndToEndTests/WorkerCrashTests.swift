import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import PartnerSim
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `custodian work` binary killed with SIGKILL in the middle of its jobs.
@Suite("End to end: worker crash")
struct WorkerCrashTests {
    static let jobCount = 24

    /// The built binary: `$CUSTODIAN_BIN` (scripts/test sets it), else the debug build next to the sources.
    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CUSTODIAN_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/custodian")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw TestDatabaseError("No custodian binary: run `swift build` first or set CUSTODIAN_BIN.")
        }
        return candidate
    }

    /// The test server's URL with `database` as its database, as the application role, as `work` connects.
    static func databaseURL(_ database: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard let server = environment["CUSTODIAN_TEST_DATABASE_URL"] ?? environment["DATABASE_URL"], var url = URLComponents(string: server) else {
            throw TestDatabaseError("Set CUSTODIAN_TEST_DATABASE_URL.")
        }
        url.path = "/" + database
        url.user = try TestDatabase.Role.application.name()
        return try #require(url.string)
    }

    /// Starts `custodian work` with a short lease and quick rescue.
    static func startWorker(databaseURL: String) throws -> Process {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["work"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment.merge(TestDatabase.keyEnvironment) { $1 }
        environment["CUSTODIAN_OUTBOUND_ALLOWED_HOSTS"] = "127.0.0.1"
        environment["CUSTODIAN_WORKER_LEASE_SECONDS"] = "3"
        environment["CUSTODIAN_WORKER_RESCUE_SECONDS"] = "1"
        environment["CUSTODIAN_WORKER_POLL_MS"] = "100"
        environment["CUSTODIAN_WORKER_CONCURRENCY"] = "6"
        environment["CUSTODIAN_LOG_LEVEL"] = "warning"
        // Partners would call back at the API; a loopback address is for development runs only.
        environment["CUSTODIAN_PUBLIC_URL"] = "http://127.0.0.1:8080"
        environment["CUSTODIAN_DEVELOPMENT"] = "1"
        // `work` refuses to start without the operator its destruction acts name.
        let identity = TestDatabase.testOperator
        environment["CUSTODIAN_CONTROLLER_NAME"] = identity.name
        environment["CUSTODIAN_CONTROLLER_ADDRESS"] = identity.address
        environment["CUSTODIAN_CONTROLLER_RESPONSIBLE_NAME"] = identity.responsibleName
        environment["CUSTODIAN_CONTROLLER_RESPONSIBLE_POSITION"] = identity.responsiblePosition
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `jobCount` courier transfers to PartnerSim, inserted the way the API enqueues them.
    static func enqueueTransfers(_ database: Database, simPort: Int) async throws {
        try await database.query("""
            INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories)
            VALUES (gen_random_uuid(), 'crash-courier', 'Courier', 'courier', \("http://127.0.0.1:\(simPort)"), \(EndToEndStack.secret.text),
                    'RU', true, '{full_name,phone,delivery_address}')
            """)
        try await database.query("""
            WITH ids AS MATERIALIZED (
                SELECT g, gen_random_uuid() AS subject_id, gen_random_uuid() AS order_id, gen_random_uuid() AS shipment_id, 'crash-' || g AS ref
                FROM generate_series(1, \(jobCount)) AS g
            ), new_subjects AS (
                INSERT INTO subjects (id, external_ref, full_name, phone, locale) SELECT subject_id, ref, 'Customer ' || g, '+7916000000' || (g % 10), 'ru-RU' FROM ids
            ), new_orders AS (
                INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name, delivery_phone,
                                    delivery_address_lines, delivery_city, delivery_country)
                SELECT order_id, subject_id, ref, 'paid', 'RUB', 1000, 'Customer ' || g, '+7916000000' || (g % 10), ARRAY['Street 1'], 'Moscow', 'RU' FROM ids
            ), new_items AS (
                INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price_minor) SELECT order_id, 1, 'SKU', 'Parcel', 1, 1000 FROM ids
            ), new_jobs AS (
                INSERT INTO jobs (kind, payload, max_attempts)
                SELECT 'courier_transfer', jsonb_build_object('shipment_id', shipment_id::text), 12 FROM ids
                RETURNING id, payload ->> 'shipment_id' AS shipment_id
            )
            INSERT INTO shipments (id, order_id, recipient_id, job_id)
            SELECT ids.shipment_id, ids.order_id, (SELECT id FROM recipients WHERE code = 'crash-courier'), new_jobs.id
            FROM ids JOIN new_jobs ON new_jobs.shipment_id = ids.shipment_id::text
            """)
    }

    @Test("a worker killed with SIGKILL mid-job: its jobs complete after the lease expires, each delivered once effectively")
    func sigkill() async throws {
        try await TestDatabase.withMigratedName { name in
            let database = try TestDatabase.pool(database: name)
            try await TestDatabase.running(database) { database in
                let (ports, portSource) = AsyncStream.makeStream(of: Int.self)
                let sim = PartnerSim.build(port: 0, secret: EndToEndStack.secret, onServerRunning: { portSource.yield($0) }, logger: TestDatabase.logger)
                let partners = ServiceGroup(configuration: .init(services: [.init(service: sim)], logger: TestDatabase.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await partners.run() }
                    defer { Task { await partners.triggerGracefulShutdown() } }
                    let simPort = try #require(await ports.first(where: { _ in true }))
                    let stack = EndToEndStack.Partner(port: simPort)
                    // Slow answers keep deliveries in flight when the worker dies.
                    try await stack.post("/_faults", json: #"{"endpoint":"/courier/shipments","latency_ms":700}"#)
                    try await Self.enqueueTransfers(database, simPort: simPort)

                    let url = try Self.databaseURL(name)
                    let first = try Self.startWorker(databaseURL: url)
                    try await EndToEndStack.waitFor { try await stack.received().received.count >= 3 }
                    kill(first.processIdentifier, SIGKILL)
                    first.waitUntilExit()
                    #expect(first.terminationReason == .uncaughtSignal)
                    let stranded = try await database.query("SELECT count(*) FROM jobs WHERE state = 'running'").collect().first?.decode(Int.self) ?? 0
                    #expect(stranded > 0, "the kill left jobs running under the dead worker's lease")

                    let second = try Self.startWorker(databaseURL: url)
                    defer {
                        kill(second.processIdentifier, SIGTERM)
                        second.waitUntilExit()
                    }
                    try await EndToEndStack.waitFor {
                        try await database.query("SELECT count(*) FROM jobs WHERE state = 'succeeded'").collect().first?.decode(Int.self) == Self.jobCount
                    }
                    let report = try await stack.received()
                    #expect(report.received.count == Self.jobCount, "one effective delivery per job")
                    #expect(Set(report.received.map(\.webhookID)).count == Self.jobCount)
                    #expect(report.rejectedSignatures == 0)
                    let rescued = try await database.query("SELECT count(*) FROM jobs WHERE attempt >= 2").collect().first?.decode(Int.self) ?? 0
                    #expect(rescued > 0, "some jobs ran again after their lease expired")
                    let sent = try await database.query("SELECT count(*) FROM shipments WHERE status = 'sent'").collect().first?.decode(Int.self)
                    #expect(sent == Self.jobCount)
                    let transfers = try await database.query("SELECT count(*) FROM transfers").collect().first?.decode(Int.self)
                    #expect(transfers == Self.jobCount, "each disclosure is logged once")
                }
            }
        }
    }
}
