import CustodianCore
import Testing

@Suite("Disclosure rule")
struct DisclosureRuleTests {
    static func facts(_ status: SubjectStatus = .active, active: Bool = true, adequate: Bool = true, consent: Bool = false) -> DisclosureFacts {
        DisclosureFacts(subjectStatus: status, recipientActive: active, countryAdequate: adequate, crossBorderConsentGranted: consent)
    }

    @Test("an active subject's data go to an active recipient in an adequate country, or elsewhere with cross-border consent")
    func allowed() {
        #expect(DisclosureRule.decide(Self.facts()) == .allowed)
        #expect(DisclosureRule.decide(Self.facts(adequate: false, consent: true)) == .allowed)
    }

    @Test("a restricted subject's disclosure waits; an erased subject's, a deactivated recipient's and an unconsented cross-border one are refused")
    func heldOrRefused() {
        guard case .held = DisclosureRule.decide(Self.facts(.restricted)) else { Issue.record("restricted is held"); return }
        for facts in [Self.facts(.erased), Self.facts(active: false), Self.facts(adequate: false, consent: false)] {
            guard case .refused(let reason) = DisclosureRule.decide(facts) else { Issue.record("refused: \(facts)"); continue }
            #expect(!reason.isEmpty)
        }
        // The subject's state wins over the recipient's: a restricted subject's transfer to a deactivated courier waits.
        guard case .held = DisclosureRule.decide(Self.facts(.restricted, active: false)) else { Issue.record("restriction first"); return }
    }
}
