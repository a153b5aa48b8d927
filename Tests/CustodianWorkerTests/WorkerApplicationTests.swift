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

    @Test("one registration per kind; each makes a handler of its own kind at the configured concurrency; every disclosing kind is run")
    func registrations() throws {
        let configuration = WorkerConfiguration(concurrency: [CourierTransferJob.name: 3], erasureCallbackURL: "http://127.0.0.1:8080/v1/callbacks/erasure")
        let database = try Database(
            url: DatabaseURL("postgres://nobody@127.0.0.1:1/none?sslmode=disable"), maximumConnections: 1, connectTimeout: .seconds(1),
            statementTimeout: nil, operationTimeout: nil, metricsFactory: NOOPMetricsHandler.instance, logger: .init(label: "test"))
        let registrations = WorkerApplication.registrations
        let kinds = registrations.map(\.kind)
        #expect(Set(kinds).count == kinds.count)
        #expect(Set(kinds) == [
            NewsletterOptOutJob.name, CourierTransferJob.name, ErasureRequestJob.name, RectificationNoticeJob.name, ConsentChangeNoticeJob.name,
            RestrictionNoticeJob.name, VerificationCodeJob.name,
        ])
        #expect(Set(DomainJobs.disclosing).isSubset(of: Set(kinds)))
        let client = OutboundClient(http: .shared, policy: configuration.outboundPolicy)
        let handlers = WorkerApplication.handlers(registrations, configuration: configuration, database: database, client: client)
        #expect(handlers.map { Self.kindName($0) } == kinds)
        #expect(handlers.map { $0.concurrency } == registrations.map { $0.kind == CourierTransferJob.name ? 3 : $0.defaultConcurrency })
    }
}
