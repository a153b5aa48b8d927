import Foundation

/// Where one recipient's erasure request stands.
public enum ErasureRequestStatus: String, Sendable, CaseIterable, Codable {
    /// Not yet delivered (the job is queued or retrying).
    case pending
    /// The recipient answered 202: it will call back when done.
    case awaitingConfirmation = "awaiting_confirmation"
    /// The recipient confirmed the erasure (200/204, or a `completed` callback).
    case completed
    /// Delivery failed for good, or the recipient cancelled: manual follow-up needed.
    case failed
    /// Withdrawn before delivery (its job was cancelled).
    case cancelled

    /// Whether nothing more will happen to the request on its own.
    public var isSettled: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// The state of a whole cascade.
public enum ErasureCascadeStatus: String, Sendable, CaseIterable, Codable {
    /// Some recipient has not answered for good yet.
    case inProgress = "in_progress"
    /// Every recipient confirmed (or there was none to ask).
    case completed
    /// Every request is settled and at least one did not complete: follow up by hand.
    case failed

    /// The cascade's status from its requests'.
    public init(requests: [ErasureRequestStatus]) {
        if requests.contains(where: { !$0.isSettled }) {
            self = .inProgress
        } else if requests.allSatisfy({ $0 == .completed }) {
            self = .completed
        } else {
            self = .failed
        }
    }
}

/// One identity in an OpenDSR request: how the recipient finds its copy of the subject's data.
public struct OpenDSRIdentity: Codable, Sendable, Equatable {
    public let identityType: String
    public let identityValue: String
    public let identityFormat: String

    public init(type: String, value: String, format: String = "raw") {
        self.identityType = type
        self.identityValue = value
        self.identityFormat = format
    }

    enum CodingKeys: String, CodingKey {
        case identityType = "identity_type"
        case identityValue = "identity_value"
        case identityFormat = "identity_format"
    }
}

/// An OpenDSR 2.0 erasure request, as POSTed to a recipient.
public struct OpenDSRErasureRequest: Codable, Sendable, Equatable {
    public static let apiVersion = "2.0"

    public let regulation: String
    public let subjectRequestID: String
    public let subjectRequestType: String
    public let submittedTime: String
    public let subjectIdentities: [OpenDSRIdentity]
    public let apiVersion: String
    public let statusCallbackURLs: [String]

    public init(regulation: RequestRegime, subjectRequestID: UUID, submittedAt: Date, identities: [OpenDSRIdentity], callbackURL: String) {
        self.regulation = regulation.rawValue
        self.subjectRequestID = subjectRequestID.uuidString.lowercased()
        self.subjectRequestType = "erasure"
        self.submittedTime = RFC3339.string(from: submittedAt)
        self.subjectIdentities = identities
        self.apiVersion = Self.apiVersion
        self.statusCallbackURLs = [callbackURL]
    }

    enum CodingKeys: String, CodingKey {
        case regulation
        case subjectRequestID = "subject_request_id"
        case subjectRequestType = "subject_request_type"
        case submittedTime = "submitted_time"
        case subjectIdentities = "subject_identities"
        case apiVersion = "api_version"
        case statusCallbackURLs = "status_callback_urls"
    }
}

/// Which identities an erasure request to a recipient names: only those the recipient was given.
public enum ErasureIdentityRule {
    /// Identity types beyond OpenDSR's own list.
    public static let orderReferenceType = "order_reference"
    /// The recipient's own pseudonym of the subject (``SubjectPseudonym``), for a recipient that received only that.
    public static let pseudonymType = "pseudonymous_id"

    /// The e-mail addresses only if the recipient received e-mail addresses, the phone numbers only if it received
    /// phone numbers (as sent: a courier got the order's delivery phone, not the subject's), the recipient's pseudonym
    /// if it received that, and the references of the orders it received (how a courier finds its consignments). Duplicates are dropped; the order is stable.
    public static func identities(
        receivedCategories: Set<DataCategory>, emails: [String], phones: [String], orderReferences: [String], pseudonym: String? = nil
    ) -> [OpenDSRIdentity] {
        var identities: [OpenDSRIdentity] = []
        if receivedCategories.contains(.pseudonymousID), let pseudonym { identities.append(OpenDSRIdentity(type: pseudonymType, value: pseudonym)) }
        if receivedCategories.contains(.email) { identities += Set(emails).sorted().map { OpenDSRIdentity(type: "email", value: $0) } }
        if receivedCategories.contains(.phone) { identities += Set(phones).sorted().map { OpenDSRIdentity(type: "phone_number", value: $0) } }
        identities += Set(orderReferences).sorted().map { OpenDSRIdentity(type: orderReferenceType, value: $0) }
        return identities
    }
}
