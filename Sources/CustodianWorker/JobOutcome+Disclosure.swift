import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

extension JobOutcome {
    /// How a disclosing call's outcome is recorded. Any HTTP answer but a success left the recipient nothing; no
    /// answer at all may have delivered it. The served record fails, with `refusal` or `exhaustion` of the reason,
    /// when the job gives up now.
    func disclosureOutcome(
        lastAttempt: Bool, refusal: (String) -> String, exhaustion: (String) -> String
    ) -> DisclosureOutcome {
        switch self {
        case .succeeded:
            .delivered
        case .failed(let reason, _):
            .notDelivered(answered: true, failure: refusal(reason))
        case .retry(let reason, let status, _):
            .notDelivered(answered: status != nil, failure: lastAttempt ? exhaustion(reason) : nil)
        case .held:
            .notDelivered(answered: true, failure: nil)
        }
    }
}

extension DisclosureStart {
    /// Decides with `start` (a database failure retries the job), then runs `send` when the disclosure may go ahead;
    /// otherwise the job's outcome without a call: a missing record or a refusal fails the job, a settled record (or
    /// one handed to the DPO as a task) succeeds it, a restricted subject holds it.
    static func run(
        missing: String, start: () async throws -> DisclosureStart<Context>, send: (Context) async -> JobOutcome
    ) async -> JobOutcome {
        let decided: DisclosureStart<Context>
        do {
            decided = try await start()
        } catch {
            return .retry(reason: "database error: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
        switch decided {
        case .missing: return .failed(reason: missing, httpStatus: nil)
        case .settled, .delegated: return .succeeded
        case .held(let reason): return .held(reason: reason)
        case .refused(let reason): return .failed(reason: reason, httpStatus: nil)
        case .send(let context): return await send(context)
        }
    }
}

extension OutboundClient {
    /// Sends a notice whose start decided it may go, holding no database connection, then records the outcome with
    /// `record`; when recording fails, the job retries.
    func sendNotice(
        _ body: Data, to target: OutboundTarget, path: String, webhookID: String, lastAttempt: Bool,
        record: (DisclosureOutcome) async throws -> Void
    ) async -> JobOutcome {
        let (outcome, _, _) = await post(to: target, path: path, body: body, webhookID: webhookID)
        do {
            try await record(outcome.disclosureOutcome(
                lastAttempt: lastAttempt, refusal: { "the recipient refused the notice: \($0)" },
                exhaustion: { "the recipient could not be reached, no attempts left: \($0)" }))
        } catch {
            return .retry(reason: "recording the notice failed: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
        return outcome
    }
}
