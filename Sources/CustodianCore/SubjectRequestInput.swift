import Foundation

/// Where a subject request stands.
public enum SubjectRequestStatus: String, Sendable, CaseIterable {
    case received
    case inProgress = "in_progress"
    case completed
    case denied
    case cancelled
    /// A claim's answer was sent (its date and channel recorded).
    case answered

    /// Whether nothing more happens to the request.
    public var isFinal: Bool { self == .completed || self == .denied || self == .cancelled || self == .answered }

    /// The lifecycle: received → in progress → completed; a received request may be denied or cancelled. Once its
    /// work has started (data changed, recipients asked) it can only complete. A received claim is answered.
    public func canMove(to next: SubjectRequestStatus) -> Bool {
        switch (self, next) {
        case (.received, .inProgress), (.inProgress, .completed): true
        case (.received, .denied), (.received, .cancelled), (.received, .answered): true
        default: false
        }
    }
}

/// A DPO's refusal of a request, validated: any reason but `no_match` (which registration alone gives), with an
/// explanation for the subject.
public struct Denial: Sendable, Equatable {
    public let reason: DenialReason
    public let explanation: String

    public init(reason: DenialReason, explanation: String) throws {
        var errors: [FieldError] = []
        if reason == .noMatch { errors.append(FieldError(field: "reason", message: "no_match is given when no subject matches at registration")) }
        let trimmed = explanation.trimmingWhitespace()
        if trimmed.isEmpty || trimmed.unicodeScalars.count > 2000 { errors.append(FieldError(field: "explanation", message: "must be 1 to 2000 characters")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        self.reason = reason
        self.explanation = trimmed
    }
}

/// Why a request was refused.
public enum DenialReason: String, Sendable, CaseIterable {
    case noMatch = "no_match"
    case identityNotVerified = "identity_not_verified"
    case legalObligation = "legal_obligation"
    case manifestlyUnfounded = "manifestly_unfounded"
    case other
}

/// How the request reached the shop.
public enum RequestChannel: String, Sendable, CaseIterable {
    case email, post, phone
    case webForm = "web_form"
    case inPerson = "in_person"
    case api
    /// Filed by the customer in Custodian's privacy center: only the privacy center records it, and no answer goes
    /// out through it.
    case privacyCenter = "privacy_center"

    /// Whether a client (the API, the console) may name this channel.
    public var isRecordedByClients: Bool { self != .privacyCenter }
}

/// Who a request names: a subject id, or one identity to look up.
public enum RequestIdentity: Sendable, Equatable {
    case subjectID(UUID)
    case email(String)
    /// Normalised to E.164.
    case phone(String)
    case externalRef(String)
}

/// A subject request as the DPO registers it, validated.
public struct NewSubjectRequest: Sendable, Equatable {
    public let identity: RequestIdentity
    public let kind: SubjectRequestKind
    public let regime: RequestRegime
    /// The legal ground (``RequestGround/allowed(for:)``), the assumed one when none was named.
    public let ground: RequestGround?
    /// The rule the request's due date follows.
    public let deadline: DeadlineRule
    public let channel: RequestChannel
    public let receivedAt: Date
    /// Rectification: the corrected values (required for that kind, refused for the others).
    public let corrections: SubjectCorrections?
    /// Objection: the consent-based purposes objected to; nil means every one.
    public let purposes: [String]?
    /// Claim: what the subject claims, in its words. Personal data: kept until the subject is erased, never logged.
    public let claimText: String?

    /// The longest claim text, in Unicode scalars.
    public static let claimTextLimit = 20_000

    /// Requests may not be dated in the future beyond this clock skew.
    public static let allowedSkew: TimeInterval = 300

    /// Exactly one of `subjectID`, `email`, `phone`, `externalRef`; `receivedAt` not in the future. All problems at once.
    public init(
        subjectID: String?, email: String?, phone: String?, externalRef: String?, kind: SubjectRequestKind, regime: RequestRegime,
        channel: RequestChannel, receivedAt: Date, ground: RequestGround? = nil, corrections: SubjectCorrections? = nil,
        purposes: [String]? = nil, claimText: String? = nil, now: Date = Date()
    ) throws {
        var errors: [FieldError] = []
        let ground = ground ?? RequestGround.assumed(for: kind)
        let deadline = SubjectRequestDeadlines.rule(regime: regime, kind: kind, ground: ground)
        if deadline == nil {
            let allowed = RequestGround.allowed(for: kind).map(\.rawValue)
            errors.append(FieldError(
                field: "ground", message: allowed.isEmpty ? "is not given for \(kind.rawValue)" : "must be one of \(allowed.joined(separator: ", ")) for \(kind.rawValue)"))
        }
        if (kind == .rectification) != (corrections != nil) {
            errors.append(FieldError(field: "corrections", message: kind == .rectification ? "is required for rectification" : "is only for rectification"))
        }
        let claimText = claimText?.trimmingWhitespace()
        if let claimText {
            if kind != .claim { errors.append(FieldError(field: "text", message: "is only for claim")) }
            let scalars = claimText.unicodeScalars
            if scalars.isEmpty || scalars.count > Self.claimTextLimit
                || scalars.contains(where: { $0.properties.generalCategory == .control && !["\n", "\r", "\t"].contains($0) }) {
                errors.append(FieldError(field: "text", message: "must be 1 to \(Self.claimTextLimit) characters, without control characters"))
            }
        } else if kind == .claim {
            errors.append(FieldError(field: "text", message: "is required for claim"))
        }
        if let purposes {
            if kind != .objection { errors.append(FieldError(field: "purposes", message: "is only for objection")) }
            if purposes.isEmpty || purposes.count > 50 || Set(purposes).count != purposes.count {
                errors.append(FieldError(field: "purposes", message: "must name 1 to 50 distinct purposes"))
            }
        }
        let given = [subjectID, email, phone, externalRef].compactMap { $0 }
        var identity: RequestIdentity?
        if given.count != 1 {
            errors.append(FieldError(field: "subject", message: "give exactly one of subject_id, email, phone or external_ref"))
        } else if let subjectID {
            if let id = UUID(uuidString: subjectID) { identity = .subjectID(id) } else { errors.append(FieldError(field: "subject_id", message: "must be a UUID")) }
        } else if let email {
            switch EmailAddress.normalise(email) {
            case .success(let normalised): identity = .email(normalised)
            case .failure(let error): errors.append(error)
            }
        } else if let phone {
            switch PhoneNumber.normalise(phone) {
            case .success(let normalised): identity = .phone(normalised)
            case .failure(let error): errors.append(error)
            }
        } else if let externalRef {
            let trimmed = externalRef.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.unicodeScalars.count > 200 { errors.append(FieldError(field: "external_ref", message: "must be 1 to 200 characters")) } else { identity = .externalRef(trimmed) }
        }
        if receivedAt.timeIntervalSince(now) > Self.allowedSkew {
            errors.append(FieldError(field: "received_at", message: "must not be in the future"))
        }
        guard errors.isEmpty, let identity, let deadline else { throw ValidationFailure(errors) }
        self.identity = identity
        self.kind = kind
        self.regime = regime
        self.ground = ground
        self.deadline = deadline
        self.channel = channel
        self.receivedAt = receivedAt
        self.corrections = corrections
        self.purposes = purposes
        self.claimText = claimText
    }
}

/// How a claim was answered, validated: on a day not after `today`, by a channel.
public struct ClaimAnswer: Sendable, Equatable {
    public let answeredOn: CalendarDate
    public let channel: RequestChannel

    public init(answeredOn: CalendarDate, channel: RequestChannel, today: CalendarDate) throws(ValidationFailure) {
        guard answeredOn <= today else { throw ValidationFailure([FieldError(field: "answered_on", message: "must not be in the future")]) }
        guard channel.isRecordedByClients else {
            throw ValidationFailure([FieldError(field: "channel", message: "privacy_center is where requests are filed, not how an answer is sent")])
        }
        self.answeredOn = answeredOn
        self.channel = channel
    }
}

/// The corrections of a rectification request, validated like the subject's own fields. Only what identifies or
/// reaches the person can be corrected here: name, e-mail, phone and registration address.
public struct SubjectCorrections: Sendable, Equatable, Codable {
    public let fullName: String?
    public let email: String?
    public let phone: String?
    public let registrationAddress: String?

    public init(fullName: String?, email: String?, phone: String?, registrationAddress: String?) throws(ValidationFailure) {
        var validator = SubjectFieldValidator()
        self.fullName = fullName.map { validator.fullName($0) }
        self.email = email.map { validator.email($0) }
        self.phone = phone.map { validator.phone($0) }
        self.registrationAddress = registrationAddress.map { validator.registrationAddress($0) }
        // Named as members of `corrections`, so they are not mistaken for the request's own e-mail or phone.
        validator.errors = validator.errors.map { FieldError(field: "corrections.\($0.field)", message: $0.message) }
        if [fullName, email, phone, registrationAddress].allSatisfy({ $0 == nil }) {
            validator.errors.append(FieldError(field: "corrections", message: "must contain at least one field to correct"))
        }
        try validator.finish()
    }

    /// The categories of data the corrections change.
    public var categories: [DataCategory] {
        [(fullName, DataCategory.fullName), (email, .email), (phone, .phone), (registrationAddress, .registrationAddress)]
            .compactMap { $0.0 == nil ? nil : $0.1 }
    }

    enum CodingKeys: String, CodingKey {
        case email, phone
        case fullName = "full_name"
        case registrationAddress = "registration_address"
    }
}
