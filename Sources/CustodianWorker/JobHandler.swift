import CustodianCore
import CustodianStore

/// What one kind of job does. Handlers read the personal data they need when they run (payloads hold ids only), make
/// their outgoing calls with an idempotency key derived from the job, and report the outcome; they never throw.
public protocol JobHandler: Sendable {
    /// The `jobs.kind` this handler runs.
    var kind: String { get }
    /// How many jobs of this kind one worker runs at once.
    var concurrency: Int { get }
    func run(_ job: ClaimedJob) async -> JobOutcome
}
