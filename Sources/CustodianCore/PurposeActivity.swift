/// Whether processing for a purpose still goes on for a subject, so that a recipient holding the subject's data for it
/// may be sent something new (a rectified value): a consent-based purpose while its consent stands granted (after a
/// withdrawal nothing new goes out for it, 152-FZ Art. 9(2), GDPR Art. 7(3)); a purpose on any other basis while the
/// record is kept. The notices that only recall what a recipient holds (``NoticeAccounting``) are not new disclosures.
public enum PurposeActivity {
    public static func isActive(basis: LegalBasis, consent: ConsentAction?) -> Bool {
        switch (basis, consent) {
        case (.consent, .grant?): true
        case (.consent, .withdraw?), (.consent, nil): false
        case (.contract, _), (.legalObligation, _), (.legitimateInterest, _): true
        }
    }
}
