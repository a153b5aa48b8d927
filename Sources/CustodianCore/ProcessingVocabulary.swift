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
    /// A keyed hash of the subject's id, different for every recipient (``SubjectPseudonym``): what analytics and
    /// advertising receive instead of a name, e-mail or phone.
    case pseudonymousID = "pseudonymous_id"
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
    /// Custodian's own privacy center, where the customer signed in with a code sent to its address.
    case privacyCenter = "privacy_center"

    /// Whether a client may name this channel; `privacy_center` is recorded only by the privacy center itself.
    public var isRecordedByClients: Bool { self != .privacyCenter }
}

/// The purpose codes the rules refer to by name.
public enum PurposeCode {
    public static let newsletter = "newsletter"
    public static let delivery = "delivery"
    /// Accepting and fulfilling orders; keeps the customer's data while an order is open or within its retention.
    public static let orderFulfilment = "order_fulfilment"
    public static let crossBorderTransfer = "cross_border_transfer"
    /// Telling recipients of a subject's withdrawal, erasure, rectification or restriction (a legal obligation).
    public static let subjectRights = "subject_rights"
}
