import CustodianQueue
import CustodianStore

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
