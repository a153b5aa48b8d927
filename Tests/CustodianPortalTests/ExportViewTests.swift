@testable import CustodianPortal
import Foundation
import Testing

/// The readable export lays every member of the JSON out, nested ones by path, and leaves nothing out.
@Suite struct ExportViewTests {
    @Test func membersByPath() {
        let view = ExportView(json: """
            {"format":"custodian-subject-export/1","subject":{"email":"a@example.com","id":"s1","locale":null},
             "orders":[{"id":"o1","delivery":{"city":"Казань"},"items":[{"sku":"A","quantity":2}]}],
             "transfers":[],"flags":[true,3,1.5]}
            """)
        let titles = view.sections.map(\.title)
        #expect(titles == ["export", "orders", "subject", "transfers"])
        let summary = view.sections[0].tables[0].rows
        #expect(summary.contains { $0.name == "format" && $0.value == "custodian-subject-export/1" })
        #expect(summary.contains { $0.name == "flags" && $0.value == "true, 3, 1.5" })
        let order = view.sections[1].tables[0]
        #expect(order.title == "orders #1")
        #expect(order.rows.map(\.name) == ["delivery.city", "id", "items[1].quantity", "items[1].sku"])
        #expect(order.rows.first?.value == "Казань")
        #expect(view.sections[2].tables[0].rows.contains { $0.name == "locale" && $0.value == "—" })
        #expect(view.sections[3].empty)
    }

    @Test func notJSONShowsNothing() {
        #expect(ExportView(json: "not json").sections.isEmpty)
    }
}
