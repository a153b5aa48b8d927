import CustodianCore
import Testing

@Suite("Blocking at registration")
struct SubjectBlockTests {
    @Test("a restriction blocks, and a rectification or erasure on inaccurate or unlawful grounds; nothing else does")
    func whichRequestsBlock() {
        let blocking = SubjectRequestKind.allCases.flatMap { kind in
            (RequestGround.allowed(for: kind).map(Optional.some) + (RequestGround.allowed(for: kind).isEmpty ? [nil] : []))
                .filter { SubjectBlock.blocksAtRegistration(kind: kind, ground: $0) }
                .map { "\(kind.rawValue) \($0?.rawValue ?? "-")" }
        }
        #expect(blocking == ["rectification inaccurate", "restriction inaccurate", "restriction unlawful", "erasure unlawful"])
    }

    @Test("the block ends: a restriction when lifted, denied or cancelled; a rectification or erasure once fulfilled, denied or cancelled")
    func whenTheBlockEnds() {
        for status in SubjectRequestStatus.allCases {
            let restriction = SubjectBlock.blocks(kind: .restriction, ground: .inaccurate, status: status, lifted: false)
            let lifted = SubjectBlock.blocks(kind: .restriction, ground: .inaccurate, status: status, lifted: true)
            let rectification = SubjectBlock.blocks(kind: .rectification, ground: .inaccurate, status: status, lifted: false)
            let erasure = SubjectBlock.blocks(kind: .erasure, ground: .unlawful, status: status, lifted: false)
            let withdrawn = SubjectBlock.blocks(kind: .erasure, ground: .consentWithdrawn, status: status, lifted: false)
            switch status {
            case .received:
                #expect(restriction && rectification && erasure && !withdrawn)
            case .inProgress, .completed:
                #expect(restriction && !lifted && !rectification && !erasure && !withdrawn, "\(status)")
            case .denied, .cancelled, .answered:
                #expect(!restriction && !rectification && !erasure && !withdrawn, "\(status)")
            }
        }
    }

    @Test("a block stops the shop, not the DPO or the system")
    func whomItStops() {
        #expect(!SubjectBlock.permits(.shop, subjectStatus: .restricted))
        #expect(SubjectBlock.permits(.shop, subjectStatus: .active))
        #expect(SubjectStatus.allCases.allSatisfy { SubjectBlock.permits(.oversight, subjectStatus: $0) })
    }
}
