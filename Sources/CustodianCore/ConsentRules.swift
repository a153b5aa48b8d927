import Foundation

/// The facts a consent event is judged against.
public struct ConsentContext: Sendable {
    public let legalBasis: LegalBasis
    public let requiresConsent: Bool
    public let purposeRetired: Bool
    public let subjectStatus: SubjectStatus
    /// When the named policy version took effect.
    public let policyEffectiveAt: Date
    /// Whether the shop has registered any consent text: from then on every grant names one.
    public let consentTextsRegistered: Bool
    /// The consent text the event names, if any.
    public let consentText: ConsentTextFacts?

    public init(
        legalBasis: LegalBasis, requiresConsent: Bool, purposeRetired: Bool, subjectStatus: SubjectStatus, policyEffectiveAt: Date,
        consentTextsRegistered: Bool, consentText: ConsentTextFacts?
    ) {
        self.legalBasis = legalBasis
        self.requiresConsent = requiresConsent
        self.purposeRetired = purposeRetired
        self.subjectStatus = subjectStatus
        self.policyEffectiveAt = policyEffectiveAt
        self.consentTextsRegistered = consentTextsRegistered
        self.consentText = consentText
    }
}

/// Why a consent event is refused. Messages name purposes, bases and states, never personal data.
public enum ConsentRefusal: Error, Sendable, Equatable {
    /// The purpose is processed on another legal basis, so there is no consent to grant or withdraw.
    case notConsentBased(purpose: String, basis: LegalBasis)
    /// A retired purpose takes no new grants.
    case purposeRetired(purpose: String)
    /// The subject is restricted or erased: no new grants (and no events at all once erased).
    case subjectNotActive(SubjectStatus)
    /// The customer cannot have been shown a version that was not yet in effect.
    case policyNotYetEffective(label: String)
    /// `occurred_at` lies in the future beyond the allowed clock skew.
    case occurredInFuture
    /// The shop registered consent texts, and a grant names none (152-FZ Art. 9 as amended by 156-FZ).
    case consentTextRequired
    /// The named consent text does not ask consent for this purpose.
    case consentTextDoesNotCover(label: String, purpose: String)
    /// The customer cannot have been shown a consent text that was not yet in effect.
    case consentTextNotYetEffective(label: String)
}

/// The rules of consent (GDPR Art. 7, 152-FZ Art. 9): consent exists only for consent-based purposes; once the shop has
/// registered consent texts, a grant names the one the customer was shown, in effect then and covering the purpose;
/// withdrawal is always possible while the subject is identifiable and needs nothing a grant does not.
public enum ConsentRules {
    /// How far in the future `occurred_at` may lie (clock skew between shop and Custodian).
    public static let allowedClockSkew: TimeInterval = 300

    public static func check(
        action: ConsentAction, purpose: String, policyLabel: String, occurredAt: Date, now: Date, context: ConsentContext
    ) throws(ConsentRefusal) {
        guard context.requiresConsent else { throw .notConsentBased(purpose: purpose, basis: context.legalBasis) }
        if occurredAt.timeIntervalSince(now) > allowedClockSkew { throw .occurredInFuture }
        if context.policyEffectiveAt > occurredAt { throw .policyNotYetEffective(label: policyLabel) }
        switch (action, context.subjectStatus) {
        case (_, .erased), (.grant, .restricted):
            throw .subjectNotActive(context.subjectStatus)
        case (.grant, .active):
            if context.purposeRetired { throw .purposeRetired(purpose: purpose) }
            try checkConsentText(purpose: purpose, occurredAt: occurredAt, context: context)
        case (.withdraw, _):
            break
        }
    }

    private static func checkConsentText(purpose: String, occurredAt: Date, context: ConsentContext) throws(ConsentRefusal) {
        guard let text = context.consentText else {
            if context.consentTextsRegistered { throw .consentTextRequired }
            return
        }
        guard text.coversPurpose else { throw .consentTextDoesNotCover(label: text.label, purpose: purpose) }
        if text.effectiveAt > occurredAt { throw .consentTextNotYetEffective(label: text.label) }
    }
}
