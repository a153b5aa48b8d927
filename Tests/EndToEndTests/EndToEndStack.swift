import AsyncHTTPClient
import CustodianAPI
import CustodianCore
import CustodianPortal
import CustodianQueue
import CustodianStore
import CustodianTestSupport
import CustodianWorker
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import PartnerSim
import Prometheus
import ServiceLifecycle
import Testing

/// The whole system on one isolated database, all real: the API listening on a free port of 127.0.0.1, a worker with
/// every job handler, and PartnerSim (which calls the API back) on another free port.
struct EndToEndStack {
    /// PartnerSim's signing secret; recipients registered in tests use it.
    static let secret = StandardWebhooksSecret.generate()

    /// What a test may change about the worker.
    struct Options: Sendable {
        /// The worker's own pool.
        var workerConnections = 10
        /// Courier transfers one worker runs at once.
        var courierConcurrency = 8
        /// How long an outgoing call may take in all.
        var outboundTimeout: Duration = .seconds(5)
    }

    let client: any TestClientProtocol
    let database: Database
    /// The worker's pool, and the metrics it reports (operations in flight hold a connection each).
    let workerDatabase: Database
    let workerMetrics: PrometheusCollectorRegistry
    let simPort: Int
    /// The API's port on 127.0.0.1, for clients of its own.
    let apiPort: Int
    /// The stack's database, for tools that work on it by name (pg_dump).
    let databaseName: String
    /// What the API, the worker and their database pools logged, at debug level.
    let logs: CapturedLogs
    /// The personal data this test sent through `answer`; none of it may reach `logs`.
    let sent: SentPersonalData

    func request(
        _ method: HTTPRequest.Method, _ uri: String, key: String, json: String? = nil, headers: HTTPFields = [:]
    ) async throws -> [String: Any] {
        let (status, body) = try await answer(method, uri, key: key, json: json, headers: headers)
        guard (200..<300).contains(status) else { throw TestDatabaseError("\(method) \(uri) answered \(status)") }
        return body
    }

    /// The status and JSON body of a request, whatever the status.
    func answer(
        _ method: HTTPRequest.Method, _ uri: String, key: String, json: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> (status: Int, body: [String: Any]) {
        sent.record(uri: uri)
        if let json { sent.record(json: json) }
        var headers = extra
        headers[.authorization] = "Bearer \(key)"
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return (response.status.code, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
    }

    func sim(_ path: String, json: String? = nil) async throws -> Data {
        try await Partner(port: simPort).send(path, json: json)
    }

    func received() async throws -> ReceivedReport {
        try await Partner(port: simPort).received()
    }

    /// PartnerSim's test endpoints: faults in, what it received out.
    struct Partner {
        let port: Int

        @discardableResult
        func post(_ path: String, json: String) async throws -> Data {
            try await send(path, json: json)
        }

        func send(_ path: String, json: String?) async throws -> Data {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            if let json {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: json))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return Data(buffer: try await response.body.collect(upTo: 1 << 24))
        }

        func received() async throws -> ReceivedReport {
            try JSONDecoder().decode(ReceivedReport.self, from: try await send("/_received", json: nil))
        }
    }

    /// The state of the newest job.
    func jobState() async throws -> String? {
        try await database.query("SELECT state FROM jobs ORDER BY id DESC LIMIT 1").collect().first?.decode(String.self)
    }

    /// The key the stack's privacy-center codes are derived under.
    static let verificationKey = VerificationCodeKey(base64Key: Data((0..<32).map { UInt8($0 * 3 % 256) }).base64EncodedString())!

    /// The key of the stack's unsubscribe links.
    static let unsubscribeKey = UnsubscribeKey(setting: "e2e:" + Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString())!

    /// The key of the identity hashes the stack's API keeps for erased subjects.
    static let identityHasher = IdentityHasher(base64Key: Data((0..<32).map { UInt8($0) }).base64EncodedString())

    /// Runs `body` against a fresh stack. The API, the worker and their database pools log at debug level into
    /// `logs` (PartnerSim, which plays the third parties and receives their data by design, keeps the quiet test
    /// logger); when `body` returns, the logs must hold none of the personal data the test sent and no e-mail address.
    static func run(options: Options = Options(), _ body: @Sendable (EndToEndStack) async throws -> Void) async throws {
        let logs = CapturedLogs()
        let sent = SentPersonalData()
        let logger = logs.logger(level: .debug)
        try await TestDatabase.withMigratedName { name in
            let apiDatabase = try TestDatabase.pool(database: name, logger: logger)
            let workerMetrics = PrometheusCollectorRegistry()
            let workerDatabase = try TestDatabase.pool(
                database: name, maximumConnections: options.workerConnections, metricsFactory: PrometheusMetricsFactory(registry: workerMetrics),
                logger: logger)
            let policy = OutboundAddressPolicy(allowedHosts: ["127.0.0.1"])
            let app = try APIApplication.build(
                configuration: APIConfiguration(
                    port: 0, outboundPolicy: policy, identityHasher: identityHasher,
                    portal: PortalConfiguration(
                        unsubscribeKeys: UnsubscribeKeyring(current: unsubscribeKey), verificationKey: verificationKey,
                        shop: PortalShop(name: "Лавка Полины", policyURL: URL(string: "https://shop.example/privacy"))),
                    publicBaseURL: "https://privacy.shop.example"),
                database: apiDatabase,
                metrics: PrometheusCollectorRegistry(), logger: logger)
            let (ports, portSource) = AsyncStream.makeStream(of: Int.self)
            let sim = PartnerSim.build(port: 0, secret: secret, onServerRunning: { portSource.yield($0) }, logger: TestDatabase.logger)
            let partners = ServiceGroup(configuration: .init(
                services: [.init(service: workerDatabase.pools), .init(service: sim)], logger: TestDatabase.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await partners.run() }
                guard let simPort = await ports.first(where: { _ in true }) else { throw TestDatabaseError("PartnerSim did not start") }
                do {
                    try await app.test(.live) { client in
                        let apiPort = try #require(client.port)
                        let worker = ServiceGroup(configuration: .init(
                            services: WorkerApplication.build(
                                configuration: workerConfiguration(policy: policy, apiPort: apiPort, options: options),
                                database: workerDatabase, logger: logger
                            ).map { .init(service: $0) },
                            logger: logger))
                        try await withThrowingTaskGroup(of: Void.self) { workerTask in
                            workerTask.addTask { try await worker.run() }
                            do {
                                try await body(EndToEndStack(
                                    client: client, database: apiDatabase, workerDatabase: workerDatabase, workerMetrics: workerMetrics,
                                    simPort: simPort, apiPort: apiPort, databaseName: name, logs: logs, sent: sent))
                            } catch {
                                await worker.triggerGracefulShutdown()
                                throw error
                            }
                            await worker.triggerGracefulShutdown()
                            try await workerTask.waitForAll()
                        }
                    }
                } catch {
                    await partners.triggerGracefulShutdown()
                    throw error
                }
                await partners.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        checkLogs(logs, sent: sent)
    }

    /// Records an issue for each personal value, and each e-mail address, the logs hold.
    private static func checkLogs(_ logs: CapturedLogs, sent: SentPersonalData) {
        #expect(logs.count > 0, "the stack's logs were captured")
        for finding in PersonalData.findings(in: logs.text, needles: sent.needles) {
            Issue.record("the logs hold \(finding)")
        }
    }

    /// The worker as `custodian work` builds it, with fast polling and retries, and the API's callback URL.
    static func workerConfiguration(policy: OutboundAddressPolicy, apiPort: Int, options: Options) -> WorkerConfiguration {
        WorkerConfiguration(
            runner: .init(owner: "e2e", pollInterval: .milliseconds(100), retryPolicy: RetryPolicy(base: 0.05, cap: 0.5)),
            concurrency: [CourierTransferJob.name: options.courierConcurrency], outboundPolicy: policy,
            outboundTimeout: options.outboundTimeout, erasureCallbackURL: "http://127.0.0.1:\(apiPort)/v1/callbacks/erasure",
            verificationKey: verificationKey)
    }

    static func waitFor(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<600 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out")
    }
}
