import CustodianCore
import Foundation
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

    @Test("only transfers, rectified values and grants are new disclosures; recalls go to any country and for any subject")
    func newDisclosures() {
        #expect(RecipientMessage.allCases.filter(\.isNewDisclosure) == [.courierTransfer, .rectificationNotice, .consentGranted])
        let abroad = DisclosureFacts(subjectStatus: .erased, recipientActive: false, countryAdequate: false, crossBorderConsentGranted: false)
        for message in RecipientMessage.allCases {
            #expect((message.decide(abroad) == .allowed) == !message.isNewDisclosure, "\(message)")
        }
        let restricted = DisclosureFacts(subjectStatus: .restricted, recipientActive: true, countryAdequate: true, crossBorderConsentGranted: false)
        #expect(RecipientMessage.consentGranted.decide(restricted) == .held(reason: "the subject is restricted: held until its block ends"))
        #expect(RecipientMessage.consentWithdrawn.decide(restricted) == .allowed)
    }

    @Test("consent changes propagate for consent purposes other than the newsletter and cross-border transfer")
    func propagation() {
        #expect(ConsentPropagation.propagates(purpose: "analytics", basis: .consent))
        #expect(ConsentPropagation.propagates(purpose: "personalised_offers", basis: .consent))
        #expect(!ConsentPropagation.propagates(purpose: "newsletter", basis: .consent))
        #expect(!ConsentPropagation.propagates(purpose: "cross_border_transfer", basis: .consent))
        #expect(!ConsentPropagation.propagates(purpose: "support", basis: .legitimateInterest))
    }

    @Test("a pseudonym is stable for a recipient, differs between recipients, and does not contain the subject id")
    func pseudonyms() {
        let subject = UUID()
        let (first, second) = (Data(repeating: 1, count: 32), Data(repeating: 2, count: 32))
        let pseudonym = SubjectPseudonym.make(subjectID: subject, recipientKey: first)
        #expect(pseudonym == SubjectPseudonym.make(subjectID: subject, recipientKey: first) && pseudonym.count == 64)
        #expect(pseudonym != SubjectPseudonym.make(subjectID: subject, recipientKey: second))
        #expect(!pseudonym.contains(subject.uuidString.lowercased().prefix(8)))
        #expect(NoticeAccounting.categories(of: [OpenDSRIdentity(type: ErasureIdentityRule.pseudonymType, value: pseudonym)]) == [.pseudonymousID])
    }
}
