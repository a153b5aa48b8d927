import Foundation

/// What one kind of job does. Handlers read the data they need when they run (payloads hold ids only), make their
/// outgoing calls with an idempotency key derived from the job, and report the outcome; they never throw.
public protocol JobHandler: Sendable {
    associatedtype Kind: JobKind
    /// How many jobs of this kind one worker runs at once.
    var concurrency: Int { get }
    func run(_ job: Job<Kind>) async -> JobOutcome
}

/// A handler with its kind's name, taking stored payloads: what the runner keeps, one per kind.
struct RegisteredHandler: Sendable {
    let kind: String
    let concurrency: Int
    let run: @Sendable (ClaimedJob) async -> JobOutcome

    init<Handler: JobHandler>(_ handler: Handler) {
        kind = Handler.Kind.name
        concurrency = max(1, handler.concurrency)
        run = { claimed in
            guard let payload = try? JSONDecoder().decode(Handler.Kind.Payload.self, from: Data(claimed.payload.utf8)) else {
                return .failed(reason: "the payload does not decode as \(Handler.Kind.name)", httpStatus: nil)
            }
            return await handler.run(Job(id: claimed.id, payload: payload, attempt: claimed.attempt, maxAttempts: claimed.maxAttempts))
        }
    }
}
