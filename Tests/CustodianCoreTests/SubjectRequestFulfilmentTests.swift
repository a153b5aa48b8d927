import CustodianCore
import Testing

@Suite("Subject request fulfilment plans")
struct SubjectRequestFulfilmentTests {
    @Test("each kind's plan for an active subject is its own work")
    func active() {
        let plans = SubjectRequestKind.allCases.map { SubjectRequestFulfilment.plan(kind: $0, subjectStatus: .active) }
        #expect(plans == [.export, .rectify, .restrict, .depersonalise, .withdrawConsents, .refuseAnswerInstead])
    }

    @Test("an erased subject: access still exports what is left, rectification is refused, the rest is already done; a claim is always answered instead")
    func erased() {
        let plans = SubjectRequestKind.allCases.map { SubjectRequestFulfilment.plan(kind: $0, subjectStatus: .erased) }
        #expect(plans == [.export, .refuseSubjectErased, .alreadyDone, .alreadyDone, .alreadyDone, .refuseAnswerInstead])
    }

    @Test("a restricted subject can still be corrected, erased and objected for; restricting it again does nothing")
    func restricted() {
        let plans = SubjectRequestKind.allCases.map { SubjectRequestFulfilment.plan(kind: $0, subjectStatus: .restricted) }
        #expect(plans == [.export, .rectify, .alreadyDone, .depersonalise, .withdrawConsents, .refuseAnswerInstead])
    }
}

@Suite("Subject request completion")
struct SubjectRequestCompletionTests {
    @Test("an erasure is complete when every recipient confirmed or was withdrawn; a failure or a wait keeps it open")
    func erasure() {
        #expect(SubjectRequestCompletion.isComplete(erasureRequests: [.completed, .cancelled]))
        #expect(SubjectRequestCompletion.isComplete(erasureRequests: []))
        for open in [ErasureRequestStatus.pending, .awaitingConfirmation, .failed] {
            #expect(!SubjectRequestCompletion.isComplete(erasureRequests: [.completed, open]), "\(open)")
        }
    }

    @Test("a rectification is complete when every notice was delivered or withdrawn")
    func rectification() {
        #expect(SubjectRequestCompletion.isComplete(notices: [.delivered, .cancelled]))
        #expect(!SubjectRequestCompletion.isComplete(notices: [.delivered, .pending]))
        #expect(!SubjectRequestCompletion.isComplete(notices: [.failed]))
    }
}
