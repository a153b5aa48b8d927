/// Who acts on a subject's record, as a block sees it.
public enum ProcessingParty: Sendable, Equatable {
    /// The shop's own processing (a `shop` API key): stopped while the subject is restricted.
    case shop
    /// The DPO verifying a request (a `dpo` key, a console user) and Custodian's own work, which follows its own
    /// rules (``DisclosureRule``): not stopped, and audited.
    case oversight
}

/// The block (152-FZ Art. 21(1)-(2), GDPR Art. 18): which requests block their subject, for how long, and whose
/// processing it stops. A subject is `restricted` exactly while one of its requests blocks it.
public enum SubjectBlock {
    /// Whether a request of `kind` on `ground` blocks its subject from the moment it is received: a restriction, and
    /// a rectification or erasure that says the data are inaccurate or processed unlawfully (152-FZ Art. 21(1)-(2)).
    public static func blocksAtRegistration(kind: SubjectRequestKind, ground: RequestGround?) -> Bool {
        switch kind {
        case .restriction: true
        case .rectification, .erasure:
            switch ground {
            case .inaccurate, .unlawful: true
            case .consentWithdrawn, .notNecessary, .purposeAchieved, .directMarketing, .other, nil: false
            }
        case .access, .objection, .claim: false
        }
    }

    /// Whether a request still blocks its subject: a restriction until it is lifted, denied or cancelled; a blocking
    /// rectification or erasure until it is fulfilled (the data corrected or destroyed), denied or cancelled.
    public static func blocks(kind: SubjectRequestKind, ground: RequestGround?, status: SubjectRequestStatus, lifted: Bool) -> Bool {
        guard blocksAtRegistration(kind: kind, ground: ground) else { return false }
        switch status {
        case .received: return true
        case .inProgress, .completed: return kind == .restriction && !lifted
        case .denied, .cancelled, .answered: return false
        }
    }

    /// Whether `party` may read or change the record of a subject in `status`. Erasure is decided elsewhere: an
    /// erased record holds nothing to read and refuses every write.
    public static func permits(_ party: ProcessingParty, subjectStatus: SubjectStatus) -> Bool {
        switch (party, subjectStatus) {
        case (.shop, .restricted): false
        case (.shop, .active), (.shop, .erased), (.oversight, _): true
        }
    }
}
