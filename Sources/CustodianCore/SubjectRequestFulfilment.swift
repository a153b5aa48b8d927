/// What fulfilling a subject request does, by its kind and its subject's status now.
public enum FulfilmentStep: Sendable, Equatable {
    /// Build the export of everything held and record its digest (152-FZ Art. 14, GDPR Art. 15).
    case export
    /// Withdraw the named consent-based purposes, the newsletter with its opt-out (152-FZ Art. 9(2), GDPR Art. 21).
    case withdrawConsents
    /// Block the subject and hold its disclosing jobs until the restriction is lifted (152-FZ Art. 21, GDPR Art. 18).
    case restrict
    /// Depersonalise the subject and ask every recipient to erase; complete when they confirmed (152-FZ Art. 21(5),
    /// GDPR Art. 17 and 19).
    case depersonalise
    /// Apply the corrections and tell every recipient of a corrected field; complete when they were told (152-FZ
    /// Art. 21(2), GDPR Art. 16 and 19).
    case rectify
    /// What the request asks is already so (an erased or restricted subject): complete at once.
    case alreadyDone
    /// The request cannot be carried out: the data to correct no longer exist.
    case refuseSubjectErased
    /// A claim is not carried out but answered (``SubjectRequestStatus/answered``).
    case refuseAnswerInstead
}

/// The fulfilment plan of each request kind. Every (kind, status) pair is decided here, with no catch-all, so a new
/// kind or status does not compile until someone decides what fulfilling it means.
public enum SubjectRequestFulfilment {
    /// Whether a request is fulfilled in the transaction that registers it, without waiting for the DPO: an objection
    /// to direct marketing, which the law makes absolute and immediate (152-FZ Art. 15(2), GDPR Art. 21(3)).
    public static func takesEffectAtRegistration(kind: SubjectRequestKind, ground: RequestGround?) -> Bool {
        kind == .objection && ground == .directMarketing
    }

    public static func plan(kind: SubjectRequestKind, subjectStatus: SubjectStatus) -> FulfilmentStep {
        switch kind {
        case .access:
            switch subjectStatus {
            case .active, .restricted, .erased: .export
            }
        case .objection:
            switch subjectStatus {
            case .active, .restricted: .withdrawConsents
            case .erased: .alreadyDone
            }
        case .restriction:
            switch subjectStatus {
            case .active: .restrict
            case .restricted, .erased: .alreadyDone
            }
        case .erasure:
            switch subjectStatus {
            case .active, .restricted: .depersonalise
            case .erased: .alreadyDone
            }
        case .rectification:
            switch subjectStatus {
            case .active, .restricted: .rectify
            case .erased: .refuseSubjectErased
            }
        case .claim:
            switch subjectStatus {
            case .active, .restricted, .erased: .refuseAnswerInstead
            }
        }
    }
}
