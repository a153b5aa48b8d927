@testable import CustodianQueue
import Testing

@Suite("Wake signal")
struct WakeSignalTests {
    /// The wake-ups a courier loop and an opt-out loop have pending after `signal` (read once the signal is finished).
    static func pending(after signal: (WakeSignal) -> Void) async -> (couriers: Int, optOuts: Int) {
        let wake = WakeSignal()
        let couriers = wake.makeStream(kind: "courier_transfer")
        let optOuts = wake.makeStream(kind: "newsletter_opt_out")
        signal(wake)
        wake.finish()
        return (await couriers.reduce(0) { count, _ in count + 1 }, await optOuts.reduce(0) { count, _ in count + 1 })
    }

    @Test("a notification naming a kind wakes that kind's loop only; a tick or an unknown kind wakes every loop")
    func wakesByKind() async {
        #expect(await Self.pending { $0.signal(kind: "courier_transfer") } == (1, 0))
        #expect(await Self.pending { $0.signal() } == (1, 1))
        #expect(await Self.pending { $0.signal(kind: "no_such_kind") } == (1, 1))
        #expect(await Self.pending { wake in (0..<5).forEach { _ in wake.signal(kind: "newsletter_opt_out") } } == (0, 1), "signals collapse")
    }
}
