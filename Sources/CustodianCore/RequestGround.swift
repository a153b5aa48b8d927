/// Why a subject asks: the legal ground of a request, from a closed list per kind. It decides the deadline
/// (``SubjectRequestDeadlines/rule(regime:kind:ground:)``). The same codes serve 152-FZ and the GDPR.
public enum RequestGround: String, Sendable, CaseIterable, Codable {
    /// The data are incomplete, inaccurate or outdated (152-FZ Art. 20(3), 21(1)-(2); GDPR Art. 16, 18(1)(a)).
    case inaccurate
    /// The data are processed unlawfully (152-FZ Art. 20(3), 21(1), 21(3); GDPR Art. 17(1)(d), 18(1)(b)).
    case unlawful
    /// Consent was withdrawn (152-FZ Art. 21(5); GDPR Art. 17(1)(b)).
    case consentWithdrawn = "consent_withdrawn"
    /// The data are not necessary for the stated purpose (152-FZ Art. 20(3); GDPR Art. 17(1)(a)).
    case notNecessary = "not_necessary"
    /// The purpose of processing has been achieved (152-FZ Art. 21(4); GDPR Art. 17(1)(a)).
    case purposeAchieved = "purpose_achieved"
    /// An objection to direct marketing (152-FZ Art. 15(2), 38-FZ Art. 18(1); GDPR Art. 21(2)-(3)).
    case directMarketing = "direct_marketing"
    /// Any other objection, a demand to stop processing (152-FZ Art. 21(5.1); GDPR Art. 21(1)).
    case other

    /// The grounds a kind of request may name; empty when it names none.
    public static func allowed(for kind: SubjectRequestKind) -> [RequestGround] {
        switch kind {
        case .access, .claim: []
        case .rectification: [.inaccurate]
        case .restriction: [.inaccurate, .unlawful]
        case .erasure: [.consentWithdrawn, .unlawful, .notNecessary, .purposeAchieved]
        case .objection: [.directMarketing, .other]
        }
    }

    /// The ground a request of `kind` has when the caller names none (the rule such requests followed before grounds
    /// existed); nil for a kind without grounds.
    public static func assumed(for kind: SubjectRequestKind) -> RequestGround? {
        switch kind {
        case .access, .claim: nil
        case .rectification, .restriction: .inaccurate
        case .erasure: .consentWithdrawn
        case .objection: .other
        }
    }
}
