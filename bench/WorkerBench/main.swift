import CustodianCore
import CustodianQueue
import CustodianStore
import CustodianWorker
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals

// WorkerBench: the worker as WorkerApplication builds it (JobRunner, OutboundClient) draining `bench_post` jobs with
// ``SignedPostHandler``, until SIGTERM or SIGINT. bench/worker-drain runs it; it is not part of the product.
//
// Environment: DATABASE_URL; BENCH_SINK_URL (bench/lean-sink.py or PartnerSim, http://127.0.0.1:PORT) and
// BENCH_SINK_SECRET (whsec_…); BENCH_WORKER_CONCURRENCY (64: jobs running at once; in a drain as many more are
// claimed ahead); BENCH_DB_MAX_CONNECTIONS (10, as `custodian work`).

let environment = ProcessInfo.processInfo.environment
func setting(_ name: String) -> String {
    guard let value = environment[name], !value.isEmpty else {
        FileHandle.standardError.write(Data("WorkerBench: set \(name)\n".utf8))
        exit(2)
    }
    return value
}

var logger = Logger(label: "worker-bench")
logger.logLevel = .warning
let concurrency = Int(environment["BENCH_WORKER_CONCURRENCY"] ?? "") ?? 64
let poolSize = Int(environment["BENCH_DB_MAX_CONNECTIONS"] ?? "") ?? 10
let database = Database(
    url: try DatabaseURL(setting("DATABASE_URL")), maximumConnections: poolSize, connectTimeout: .seconds(5),
    statementTimeout: .seconds(10), operationTimeout: .seconds(15), metricsFactory: NOOPMetricsHandler.instance, logger: logger)
let sink = OutboundTarget(recipientID: UUID(), baseURL: setting("BENCH_SINK_URL"), apiToken: nil, signingSecret: setting("BENCH_SINK_SECRET"))
let configuration = WorkerConfiguration(
    runner: JobRunnerConfiguration(owner: "worker-bench"), concurrency: [BenchPostJob.name: concurrency],
    outboundPolicy: OutboundAddressPolicy(allowedHosts: ["127.0.0.1"]), erasureCallbackURL: "http://127.0.0.1/unused")
let services: [any Service] = [database.pools] + WorkerApplication.build(
    configuration: configuration, database: database, logger: logger,
    registrations: [JobRegistration(BenchPostJob.self) { SignedPostHandler(concurrency: $1, client: $0.client, sink: sink) }])
let group = ServiceGroup(configuration: .init(
    services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
try await group.run()
