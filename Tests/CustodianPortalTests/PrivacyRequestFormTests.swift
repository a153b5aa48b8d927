import CustodianConsole
import CustodianCore
@testable import CustodianPortal
import Foundation
import Testing

/// The request form becomes a subject request of the customer's own kind and ground, filed through the privacy center.
@Suite struct PrivacyRequestFormTests {
    let subjectID = UUID()

    @Test("an erasure with the ground chosen; access without one; both channel privacy_center, received now")
    func kindsAndGrounds() throws {
        let erasure = try PrivacyAccountPages.request(FormFields(values: ["kind": "erasure", "ground": "unlawful"]), subjectID: subjectID, regime: .fz152)
        #expect(erasure.kind == .erasure && erasure.ground == .unlawful && erasure.channel == .privacyCenter)
        #expect(erasure.identity == .subjectID(subjectID) && abs(erasure.receivedAt.timeIntervalSinceNow) < 5)
        let access = try PrivacyAccountPages.request(FormFields(values: ["kind": "access", "ground": ""]), subjectID: subjectID, regime: .gdpr)
        #expect(access.kind == .access && access.ground == nil && access.regime == .gdpr)
    }

    @Test("rectification carries only the corrections given; a claim its text")
    func correctionsAndClaims() throws {
        let rectification = try PrivacyAccountPages.request(
            FormFields(values: ["kind": "rectification", "phone": "+7 999 123-45-67", "full_name": " ", "email": ""]), subjectID: subjectID, regime: .fz152)
        #expect(rectification.corrections?.phone == "+79991234567" && rectification.corrections?.fullName == nil)
        let claim = try PrivacyAccountPages.request(FormFields(values: ["kind": "claim", "text": "Верните деньги"]), subjectID: subjectID, regime: .fz152)
        #expect(claim.claimText == "Верните деньги" && claim.corrections == nil)
    }

    @Test("an unknown kind, a ground the kind does not have, a claim without text: refused with the field named")
    func refusals() {
        for (fields, field) in [(["kind": "delete"], "kind"), (["kind": "erasure", "ground": "direct_marketing"], "ground"),
                                (["kind": "erasure", "ground": "x"], "ground"), (["kind": "claim", "text": "  "], "text")] {
            #expect(throws: ValidationFailure.self, "\(fields)") {
                try PrivacyAccountPages.request(FormFields(values: fields), subjectID: subjectID, regime: .fz152)
            }
            do {
                _ = try PrivacyAccountPages.request(FormFields(values: fields), subjectID: subjectID, regime: .fz152)
            } catch let failure as ValidationFailure {
                #expect(failure.errors.contains { $0.field == field }, "\(fields): \(failure.errors)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
