/// The legal ground for processing personal data for a purpose (GDPR Art. 6; 152-FZ Art. 6).
public enum LegalBasis: String, Sendable, CaseIterable, Codable {
    case consent
    case contract
    case legalObligation = "legal_obligation"
    case legitimateInterest = "legitimate_interest"
}

/// The kinds of third party data may go to.
public enum RecipientKind: String, Sendable, CaseIterable, Codable {
    case emailProvider = "email_provider"
    case courier
    case analytics
    case other
}

/// Categories of personal data a purpose uses.
public enum DataCategory: String, Sendable, CaseIterable, Codable {
    case fullName = "full_name"
    case email
    case phone
    case registrationAddress = "registration_address"
    case deliveryAddress = "delivery_address"
}

/// What a consent event does.
public enum ConsentAction: String, Sendable, CaseIterable, Codable {
    case grant
    case withdraw
}

/// Where the customer made the choice.
public enum ConsentChannel: String, Sendable, CaseIterable, Codable {
    case webForm = "web_form"
    case checkout
    case emailLink = "email_link"
    case callCentre = "call_centre"
    case api
}

/// The kinds of background job the worker runs.
public enum JobKind: String, Sendable, CaseIterable, Codable {
    /// Suppress the subject's address at the e-mail provider, then confirm the opt-out.
    case newsletterOptOut = "newsletter_opt_out"
    /// Send an order's delivery data to a courier and record the disclosure.
    case courierTransfer = "courier_transfer"
    /// Ask one recipient to erase a subject's data (OpenDSR 2.0), part of an erasure cascade.
    case erasureRequest = "erasure_request"
    /// Tell one recipient which of the subject's data it holds were corrected (GDPR Art. 19).
    case rectificationNotice = "rectification_notice"

    /// How many times a job of this kind runs before it fails for good. With the default retry policy (5 s doubling,
    /// capped at 1 h) 12 attempts span about 2.5 hours, 20 about 11 hours and 25 about 16 hours: a courier hand-over is
    /// worthless after a few hours, an erasure request is worth the longest wait.
    public var maximumAttempts: Int {
        switch self {
        case .newsletterOptOut: 20
        case .courierTransfer: 12
        case .erasureRequest: 25
        case .rectificationNotice: 20
        }
    }

    /// Whether a job of this kind discloses the subject's data to a third party: such jobs are held while the subject
    /// is restricted and cancelled when the subject is erased. Opt-outs and erasure requests only ever reduce what a
    /// recipient holds, so they run regardless.
    public var disclosesSubjectData: Bool {
        switch self {
        case .courierTransfer, .rectificationNotice: true
        case .newsletterOptOut, .erasureRequest: false
        }
    }
}

/// The purpose codes the rules refer to by name.
public enum PurposeCode {
    public static let newsletter = "newsletter"
    public static let delivery = "delivery"
    public static let crossBorderTransfer = "cross_border_transfer"
}
