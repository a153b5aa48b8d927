/// Why data were destroyed, as the destruction act states it.
public enum DestructionReason: Sendable, Equatable {
    /// A subject request to erase (its kind's ground decides the provision).
    case subjectRequest(regime: RequestRegime, ground: RequestGround?)
    /// The retention sweep: the purposes ended (consent withdrawn or never given, nothing open) and the inactivity
    /// period passed.
    case retentionExpired(inactiveDays: Int)
    /// The retention sweep: one purpose ended and its own retention passed (an order's delivery block, kept `days`
    /// after the order was delivered or cancelled).
    case purposeEnded(purpose: String, days: Int)
    /// The retention sweep: the consents for `purposes` were withdrawn more than `days` ago and nothing else needs the
    /// data (``ConsentWithdrawalRetention``).
    case consentWithdrawn(purposes: [String], days: Int)
}

/// What a destruction act states besides the stored facts (RKN Order No. 179 of 28 Oct 2022): the information
/// system, the method, the reason in words with its provision, and how long acts are kept.
public enum DestructionAct {
    /// The information system the data were destroyed from.
    public static let informationSystem = "Custodian personal-data register (PostgreSQL)"

    /// How Custodian destroys: the identifying fields are overwritten, the accounting facts stay.
    public static let method = "Depersonalisation in the database: full name, e-mail, phone and addresses overwritten (set to NULL) in "
        + Depersonalisation.tables.joined(separator: ", ")
        + "; consent evidence (address, user agent) removed; keyed hashes kept only to recognise a repeat request; accounting facts "
        + "(order numbers, amounts, dates, items) kept as tax law requires"

    /// Acts are kept 3 years from the destruction, then pruned (their log extracts are read from the audit trail, which
    /// is kept whole).
    public static let retentionYears = 3

    /// The reason in words, with the provision it rests on.
    public static func reasonText(_ reason: DestructionReason) -> String {
        switch reason {
        case .subjectRequest(let regime, let ground):
            let rule = SubjectRequestDeadlines.rule(regime: regime, kind: .erasure, ground: ground)
            return "The subject's request to destroy the data (ground: \(ground?.rawValue ?? "none")), \(rule?.article ?? regime.rawValue)"
        case .retentionExpired(let days):
            return "Retention ended: no consent in force, nothing open, no activity for \(days) days (152-FZ Art. 5(7), 21(4)-(5))"
        case .purposeEnded(let purpose, let days):
            return "The purpose \(purpose) was achieved and its retention of \(days) days has passed (152-FZ Art. 5(7), 21(4))"
        case .consentWithdrawn(let purposes, let days):
            return "Consent withdrawn for \(purposes.joined(separator: ", ")) more than \(days) days ago and no other purpose needs the data "
                + "(152-FZ Art. 9(2), 21(5); GDPR Art. 17(1)(b))"
        }
    }

    /// The sweep's rule for delivery blocks, as the act names it.
    public static func deliveryBlockRule(days: Int) -> String {
        "retention sweep: the delivery block of an order delivered or cancelled more than \(days) days ago (the delivery purpose's retention_days)"
    }

    /// The sweep's rule for data kept for a withdrawn consent, as the act names it.
    public static func withdrawalRule(days: Int) -> String {
        "retention sweep: data kept only for consent-based purposes withdrawn more than \(days) days ago (each purpose's retention_days, at most 30)"
    }

    /// The automatic sweep's rule, as the act names it next to the responsible person.
    public static func sweepRule(inactiveDays: Int) -> String {
        "retention sweep: subjects with no consent in force, nothing open and no activity for \(inactiveDays) days (CUSTODIAN_RETENTION_INACTIVE_DAYS)"
    }
}
