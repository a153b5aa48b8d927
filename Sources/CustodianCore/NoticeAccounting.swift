/// How a notice that carries personal data without disclosing anything new is entered in the transfer log: a
/// suppression of an address, an opt-out confirmation, an erasure request. Each is sent because the law requires
/// telling the recipient (152-FZ Art. 21, GDPR Art. 19) or the subject (GDPR Art. 7(3)), so each is logged under the
/// purpose `subject_rights` on the legal basis of a legal obligation, with the categories it carried.
public enum NoticeAccounting {
    public static let purpose = PurposeCode.subjectRights
    public static let legalBasis = LegalBasis.legalObligation

    /// A newsletter suppression carries the address to suppress.
    public static let suppressionCategories: [DataCategory] = [.email]
    /// An opt-out confirmation goes to the address, greeting the subject by name.
    public static let confirmationCategories: [DataCategory] = [.fullName, .email]

    /// The categories an erasure request's identities carry (an order reference is no personal data category).
    public static func categories(of identities: [OpenDSRIdentity]) -> [DataCategory] {
        let types = Set(identities.map(\.identityType))
        return [(DataCategory.email, "email"), (.phone, "phone_number"), (.pseudonymousID, ErasureIdentityRule.pseudonymType)]
            .filter { types.contains($0.1) }.map(\.0)
    }
}
