import Foundation
import Testing

@testable import CustodianStore

/// The export passes through ``ExportValue`` to have its sealed values opened: nothing else in it may change but the
/// order of keys.
@Suite("Export document")
struct ExportValueTests {
    @Test("every JSON kind comes back as it was, keys sorted, slashes and non-ASCII text unescaped")
    func roundTrip() throws {
        let text = #"""
            {"z":null,"b":true,"a":[1,-9007199254740993,2.5,"x/y",{"d":"Ё\"\n","c":[]}],"m":{},"n":12345678901}
            """#
        let value = try JSONDecoder().decode(ExportValue.self, from: Data(text.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let written = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(written == #"{"a":[1,-9007199254740993,2.5,"x/y",{"c":[],"d":"Ё\"\n"}],"b":true,"m":{},"n":12345678901,"z":null}"#)
        #expect(try JSONDecoder().decode(ExportValue.self, from: Data(written.utf8)) == value)
    }
}
