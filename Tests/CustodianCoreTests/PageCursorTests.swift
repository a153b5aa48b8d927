import CustodianCore
import Testing

@Suite("Page cursors")
struct PageCursorTests {
    @Test("a cursor decodes to the key it was made from")
    func roundTrip() {
        for key in ["0", "F9E1B3A4-0000-4000-8000-000000000000", "9223372036854775807"] {
            #expect(PageCursor.decode(PageCursor.encode(key)) == key)
        }
    }

    @Test("foreign strings are not cursors", arguments: ["", "!!!", "aGVsbG8", "djE6=", String(repeating: "A", count: 300)])
    func rejects(cursor: String) {
        #expect(PageCursor.decode(cursor) == nil)
    }
}
