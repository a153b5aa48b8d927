import Foundation
import Testing

@testable import CustodianStore

/// The export's profile and orders pass through ``ExportedSubject`` and ``ExportedOrder`` to have their sealed values
/// opened: nothing else in them may change but the order of keys.
@Suite("Export records")
struct ExportedRecordsTests {
    static func written(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("a profile comes back as PostgreSQL wrote it, absent values as null, keys sorted")
    func subject() throws {
        let text = #"{"id":"6f1c2a9e-0000-4000-8000-000000000001","external_ref":"c/1","full_name":"Ё \"Ю\"","email":null,"phone":null,"registration_address":null,"locale":"ru-RU","status":"erased","created_at":"2026-12-07T01:02:03.456789+00:00","updated_at":"2026-12-07T01:02:03.456789+00:00"}"#
        let subject = try JSONDecoder().decode(ExportedSubject.self, from: Data(text.utf8))
        #expect(try Self.written(subject) == #"{"created_at":"2026-12-07T01:02:03.456789+00:00","email":null,"external_ref":"c/1","full_name":"Ё \"Ю\"","id":"6f1c2a9e-0000-4000-8000-000000000001","locale":"ru-RU","phone":null,"registration_address":null,"status":"erased","updated_at":"2026-12-07T01:02:03.456789+00:00"}"#)
    }

    @Test("an order keeps its id's case, its amounts and items, and a cleared delivery block's nulls")
    func order() throws {
        let text = #"[{"id":"6f1c2a9e-0000-4000-8000-00000000000a","external_ref":"SO-1","status":"delivered","currency":"RUB","total_minor":9007199254740993,"placed_at":"2026-12-07T01:02:03+00:00","delivery":{"recipient_name":null,"phone":null,"address_lines":null,"city":null,"postal_code":null,"country":"RU"},"items":[{"sku":"K","name":"Чайник","quantity":2,"unit_price_minor":150}]}]"#
        let orders = try JSONDecoder().decode([ExportedOrder].self, from: Data(text.utf8))
        #expect(try Self.written(orders) == #"[{"currency":"RUB","delivery":{"address_lines":null,"city":null,"country":"RU","phone":null,"postal_code":null,"recipient_name":null},"external_ref":"SO-1","id":"6f1c2a9e-0000-4000-8000-00000000000a","items":[{"name":"Чайник","quantity":2,"sku":"K","unit_price_minor":150}],"placed_at":"2026-12-07T01:02:03+00:00","status":"delivered","total_minor":9007199254740993}]"#)
    }
}
