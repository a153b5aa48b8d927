/// Every kind of message Custodian sends a recipient, and whether it is a new disclosure (issue 22, part 5).
///
/// A new disclosure gives the recipient data it did not hold, or lets it start processing: it goes only for an active
/// purpose, never for a restricted or erased subject, and to a country without adequate protection only with the
/// subject's cross-border consent (``DisclosureRule``). The other messages carry only what the recipient needs to find
/// the data it already holds, so that it stops or erases: they are always sent, to recipients in any country, and
/// logged like every delivery (``NoticeAccounting``).
public enum RecipientMessage: String, Sendable, CaseIterable {
    case courierTransfer = "courier_transfer"
    case rectificationNotice = "rectification_notice"
    case consentGranted = "consent_granted"
    case consentWithdrawn = "consent_withdrawn"
    case erasureRequest = "erasure_request"
    /// A restriction carried out, or lifted (GDPR Art. 19).
    case restrictionNotice = "restriction_notice"
    case suppression
    case optOutConfirmation = "opt_out_confirmation"

    public var isNewDisclosure: Bool {
        switch self {
        case .courierTransfer, .rectificationNotice, .consentGranted: true
        case .consentWithdrawn, .erasureRequest, .restrictionNotice, .suppression, .optOutConfirmation: false
        }
    }

    /// What may happen to this message now: a new disclosure under the whole ``DisclosureRule``; any other always.
    public func decide(_ facts: DisclosureFacts) -> DisclosureDecision {
        isNewDisclosure ? DisclosureRule.decide(facts) : .allowed
    }
}

/// Which consent changes recipients are told of (issue 22, part 4): a grant or withdrawal of a consent-based purpose
/// whose recipients process on it — analytics, advertising, personalised offers — goes to every active recipient of
/// the purpose's kinds as a signed `consent.changed` webhook naming the subject by its pseudonym only (withdrawals also
/// to any recipient told of the grant before). The newsletter has its own opt-out (suppression), and cross-border
/// transfer is a condition of other transfers, not processing of its own.
public enum ConsentPropagation {
    public static func propagates(purpose: String, basis: LegalBasis) -> Bool {
        basis == .consent && purpose != PurposeCode.newsletter && purpose != PurposeCode.crossBorderTransfer
    }

    /// The message a change is.
    public static func message(for action: ConsentAction) -> RecipientMessage {
        action == .grant ? .consentGranted : .consentWithdrawn
    }

    /// The webhook's `state`.
    public static func state(for action: ConsentAction) -> String {
        action == .grant ? "granted" : "withdrawn"
    }
}
