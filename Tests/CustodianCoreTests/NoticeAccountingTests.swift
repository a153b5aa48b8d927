import CustodianCore
import Testing

@Suite("Notices and active purposes")
struct NoticeAccountingTests {
    @Test("a consent-based purpose is active only while granted; any other while the record is kept")
    func purposeActivity() {
        #expect(PurposeActivity.isActive(basis: .consent, consent: .grant))
        #expect(!PurposeActivity.isActive(basis: .consent, consent: .withdraw))
        #expect(!PurposeActivity.isActive(basis: .consent, consent: nil))
        for basis in [LegalBasis.contract, .legalObligation, .legitimateInterest] {
            #expect(PurposeActivity.isActive(basis: basis, consent: nil) && PurposeActivity.isActive(basis: basis, consent: .withdraw))
        }
    }

    @Test("an erasure request's categories are those of the identities it names; an order reference is none")
    func erasureCategories() {
        let identities = [
            OpenDSRIdentity(type: "email", value: "a@example.com"), OpenDSRIdentity(type: "phone_number", value: "+79990000000"),
            OpenDSRIdentity(type: ErasureIdentityRule.orderReferenceType, value: "SO-1"),
        ]
        #expect(NoticeAccounting.categories(of: identities) == [.email, .phone])
        #expect(NoticeAccounting.categories(of: [OpenDSRIdentity(type: ErasureIdentityRule.orderReferenceType, value: "SO-1")]).isEmpty)
        #expect(NoticeAccounting.purpose == "subject_rights" && NoticeAccounting.legalBasis == .legalObligation)
    }
}
