import CustodianQueue
import CustodianStore

/// One job kind the worker runs: the kind's name and default concurrency, and how its handler is made.
public struct JobRegistration: Sendable {
    /// What a handler may be made with.
    public struct Context: Sendable {
        public let database: Database
        public let client: OutboundClient
        public let configuration: WorkerConfiguration
    }

    public let kind: String
    public let defaultConcurrency: Int
    let makeHandler: @Sendable (Context, _ concurrency: Int) -> any JobHandler

    public init<Kind: JobKind>(_ kind: Kind.Type, _ makeHandler: @escaping @Sendable (Context, _ concurrency: Int) -> any JobHandler) {
        self.kind = Kind.name
        self.defaultConcurrency = Kind.defaultConcurrency
        self.makeHandler = makeHandler
    }
}
