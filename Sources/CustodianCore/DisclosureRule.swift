/// Whether a subject's data may go to a recipient now (152-FZ Art. 12 and 21, GDPR Art. 18 and 44–49).
public enum DisclosureDecision: Sendable, Equatable {
    case allowed
    /// Wait until the subject's block ends (152-FZ Art. 21(1): blocked data are not disclosed).
    case held(reason: String)
    /// Never send it; the reason names states and rules only, never personal data.
    case refused(reason: String)
}

/// The facts a disclosure is judged against, read in the transaction that records it as in flight.
public struct DisclosureFacts: Sendable, Equatable {
    public let subjectStatus: SubjectStatus
    public let recipientActive: Bool
    /// Whether the recipient's country ensures adequate protection (152-FZ Art. 12(1), GDPR Art. 45).
    public let countryAdequate: Bool
    /// Whether the subject's `cross_border_transfer` consent is in force (152-FZ Art. 12(4)(1), GDPR Art. 49(1)(a)).
    public let crossBorderConsentGranted: Bool

    public init(subjectStatus: SubjectStatus, recipientActive: Bool, countryAdequate: Bool, crossBorderConsentGranted: Bool) {
        self.subjectStatus = subjectStatus
        self.recipientActive = recipientActive
        self.countryAdequate = countryAdequate
        self.crossBorderConsentGranted = crossBorderConsentGranted
    }
}

/// The rule every disclosing job applies before its outgoing call: a restricted subject's data wait, an erased
/// subject's data are gone, a deactivated recipient gets nothing, and a recipient in a country without adequate
/// protection only with the subject's cross-border consent.
public enum DisclosureRule {
    public static func decide(_ facts: DisclosureFacts) -> DisclosureDecision {
        let subjectDecision = decide(subjectStatus: facts.subjectStatus)
        guard subjectDecision == .allowed else { return subjectDecision }
        if !facts.recipientActive { return .refused(reason: "the recipient is deactivated") }
        return CrossBorderRule.decide(countryAdequate: facts.countryAdequate, consentGranted: facts.crossBorderConsentGranted)
    }

    /// The part that depends on the subject alone; a rectification notice, which goes to a recipient that already
    /// holds the data, applies only this.
    public static func decide(subjectStatus: SubjectStatus) -> DisclosureDecision {
        switch subjectStatus {
        case .active:
            return .allowed
        case .restricted:
            return .held(reason: "the subject is restricted: held until its block ends")
        case .erased:
            return .refused(reason: "the subject is erased: no transfers")
        }
    }
}

/// Cross-border transfer (152-FZ Art. 12, GDPR Chapter V): free to a country with adequate protection, otherwise
/// only with the subject's written consent to it.
public enum CrossBorderRule {
    public static func decide(countryAdequate: Bool, consentGranted: Bool) -> DisclosureDecision {
        switch (countryAdequate, consentGranted) {
        case (true, _), (false, true):
            return .allowed
        case (false, false):
            return .refused(reason: "the recipient's country is not adequate and the subject has not consented to cross-border transfer")
        }
    }
}
