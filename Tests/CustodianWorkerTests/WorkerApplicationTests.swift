import CustodianQueue
import CustodianStore
@testable import CustodianWorker
import Metrics
import Testing

@Suite("Worker application")
struct WorkerApplicationTests {
    static func kindName<Handler: JobHandler>(_ handler: Handler) -> String {
        Handler.Kind.name
    }

    @Test("the worker runs one handler for every job kind the domain enqueues, at the configured concurrency")
    func everyKindHasAHandler() throws {
        let configuration = WorkerConfiguration(concurrency: [CourierTransferJob.name: 3], erasureCallbackURL: "http://127.0.0.1:8080/v1/callbacks/erasure")
        let database = try Database(
            url: DatabaseURL("postgres://nobody@127.0.0.1:1/none?sslmode=disable"), maximumConnections: 1, connectTimeout: .seconds(1),
            statementTimeout: nil, operationTimeout: nil, metricsFactory: NOOPMetricsHandler.instance, logger: .init(label: "test"))
        let client = OutboundClient(http: .shared, policy: configuration.outboundPolicy)
        let handlers = WorkerApplication.handlers(configuration: configuration, database: database, client: client)
        #expect(handlers.map { Self.kindName($0) } == DomainJobs.kinds.map { $0.name })
        #expect(handlers.map { $0.concurrency } == DomainJobs.kinds.map { $0.name == CourierTransferJob.name ? 3 : $0.defaultConcurrency })
        #expect(configuration.connectionsPerHost == handlers.map { $0.concurrency }.reduce(0, +))
    }
}
