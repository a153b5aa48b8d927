import Foundation
import HTTPTypes
import Testing

@Suite("Orders")
struct OrderTests {
    static func body(subjectID: String, ref: String, total: Int64 = 109_970, country: String = "RU") -> String {
        """
        {"subject_id":"\(subjectID)","external_ref":"\(ref)","currency":"RUB","total_minor":\(total),
         "items":[{"sku":"TEA-1","name":"Tea","quantity":3,"unit_price_minor":19990},{"sku":"CUP-1","name":"Cup","quantity":1,"unit_price_minor":50000}],
         "delivery":{"recipient_name":"Анна Иванова","phone":"8 916 111-22-33","address_lines":["ул. Ленина, 1"],"city":"Москва",
                     "postal_code":"101000","country":"\(country)"}}
        """
    }

    @Test("record, read and list an order; money stays integer minor units")
    func lifecycle() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let subjectID = try #require(try await app.createSubject(key: key, externalRef: "o-1")["id"] as? String)
            let created = try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-1"))
            #expect(created.status == .created)
            let order = try created.jsonObject()
            let id = try #require(order["id"] as? String)
            #expect(created.headers[.location] == "/v1/orders/\(id)")
            #expect(order["status"] as? String == "placed")
            #expect(order["total_minor"] as? Int == 109_970)
            #expect((order["items"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["TEA-1", "CUP-1"])
            #expect((order["delivery"] as? [String: Any])?["phone"] as? String == "+79161112233")

            #expect(try await app.request(.get, "/v1/orders/\(id)", key: key).status == .ok)
            for number in 2...4 {
                _ = try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-\(number)"))
            }
            var listed: [[String: Any]] = []
            var cursor: String?
            repeat {
                let page = try await app.request(.get, "/v1/subjects/\(subjectID)/orders?limit=3\(cursor.map { "&cursor=\($0)" } ?? "")", key: key).jsonObject()
                listed += page["items"] as? [[String: Any]] ?? []
                cursor = page["next_cursor"] as? String
            } while cursor != nil && listed.count < 10
            #expect(Set(listed.compactMap { $0["external_ref"] as? String }) == ["SO-1", "SO-2", "SO-3", "SO-4"])
            #expect(listed.compactMap { $0["id"] as? String } == listed.compactMap { $0["id"] as? String }.sorted(), "ordered by id")
            for entry in listed {
                let single = try await app.request(.get, "/v1/orders/\(entry["id"] as? String ?? "")", key: key).jsonObject()
                #expect(NSDictionary(dictionary: entry).isEqual(to: single), "a listed order is the order as read alone, items in order")
            }
            let orderless = try #require(try await app.createSubject(key: key, externalRef: "o-2")["id"] as? String)
            let empty = try await app.request(.get, "/v1/subjects/\(orderless)/orders", key: key)
            #expect(empty.status == .ok)
            #expect((try empty.jsonObject()["items"] as? [Any])?.isEmpty == true)
            #expect(try await app.request(.get, "/v1/subjects/\(UUID().uuidString)/orders", key: key).status == .notFound)

            let actions = try await app.database.query("SELECT action FROM audit_log WHERE action LIKE 'order.%'").collect()
                .map { try $0.decode(String.self) }
            #expect(actions.filter { $0 == "order.create" }.count == 4)
            #expect(actions.contains("order.read"))
            #expect(actions.contains("order.list"))
        }
    }

    @Test("wrong totals, countries and duplicates are refused and change nothing")
    func refusals() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let subjectID = try #require(try await app.createSubject(key: key, externalRef: "o-2")["id"] as? String)
            let wrongTotal = try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-1", total: 1))
            #expect(wrongTotal.status == .unprocessableContent)
            #expect((try wrongTotal.jsonObject()["errors"] as? [[String: String]])?.first?["field"] == "total_minor")
            #expect(try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-1", country: "XX")).status == .unprocessableContent)
            #expect(try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: UUID().uuidString, ref: "SO-1")).status == .unprocessableContent)
            #expect(try await app.rowCount("orders") == 0)
            #expect(try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-1")).status == .created)
            #expect(try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-1")).status == .conflict)
            #expect(try await app.rowCount("order_items") == 2)
        }
    }

    @Test("restricted and erased subjects get no new orders (409)")
    func inactiveSubjects() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            for status in ["restricted", "erased"] {
                let subjectID = try #require(try await app.createSubject(key: key, externalRef: "o-\(status)")["id"] as? String)
                try await app.database.query("UPDATE subjects SET status = \(status) WHERE id = \(UUID(uuidString: subjectID)!)")
                let response = try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-\(status)"))
                #expect(response.status == .conflict, "\(status)")
            }
            #expect(try await app.rowCount("orders") == 0)
        }
    }

    @Test("status moves follow placed → paid → shipped → delivered, or cancelled; others are 409")
    func transitions() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let subjectID = try #require(try await app.createSubject(key: key, externalRef: "o-3")["id"] as? String)
            let id = try #require(try await app.request(.post, "/v1/orders", key: key, json: Self.body(subjectID: subjectID, ref: "SO-9")).jsonObject()["id"] as? String)
            func move(_ status: String) async throws -> HTTPResponse.Status {
                try await app.request(.patch, "/v1/orders/\(id)", key: key, json: #"{"status":"\#(status)"}"#).status
            }
            #expect(try await move("shipped") == .conflict)
            #expect(try await move("paid") == .ok)
            #expect(try await move("paid") == .ok)
            #expect(try await move("placed") == .conflict)
            #expect(try await move("shipped") == .ok)
            #expect(try await move("cancelled") == .conflict)
            #expect(try await move("delivered") == .ok)
            #expect(try await move("bogus") == .unprocessableContent)
            let statusChanges = try await app.database.query("SELECT count(*) FROM audit_log WHERE action = 'order.status'").collect().first?.decode(Int.self)
            #expect(statusChanges == 3)
            #expect(try await app.request(.patch, "/v1/orders/\(UUID().uuidString)", key: key, json: #"{"status":"paid"}"#).status == .notFound)
        }
    }
}

@Suite("Shipments")
struct ShipmentTests {
    @Test("hand-over is refused for unknown couriers (422), cancelled orders and restricted subjects (409); a valid one enqueues its job")
    func refusals() async throws {
        try await TestApp.run(configuration: RecipientTests.configuration) { app in
            let shop = try await app.key(.shop)
            let dpo = try await app.key(.dpo)
            for (code, kind) in [("courier-a", "courier"), ("mailer", "email_provider")] {
                _ = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                    {"code":"\(code)","name":"\(code)","kind":"\(kind)","base_url":"https://\(code).example","country":"RU","country_adequate":true}
                    """)
            }
            let subjectID = try #require(try await app.createSubject(key: shop, externalRef: "s-1")["id"] as? String)
            let orderID = try #require(try await app.request(.post, "/v1/orders", key: shop, json: OrderTests.body(subjectID: subjectID, ref: "SO-S")).jsonObject()["id"] as? String)
            #expect(try await app.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"mailer"}"#).status == .unprocessableContent)
            #expect(try await app.request(.post, "/v1/orders/\(UUID().uuidString)/shipments", key: shop, json: #"{"courier":"courier-a"}"#).status == .notFound)
            let created = try await app.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"courier-a"}"#)
            #expect(created.status == .created)
            let shipmentID = try #require(try created.jsonObject()["id"] as? String)
            let location = try #require(created.headers[.location])
            #expect(location == "/v1/orders/\(orderID)/shipments/\(shipmentID)")
            let read = try await app.request(.get, location, key: shop)
            let readID = try read.jsonObject()["id"] as? String
            #expect(read.status == .ok && readID == shipmentID, "the shipment answers at its Location")
            #expect(try await app.request(.get, "/v1/orders/\(orderID)/shipments/\(UUID())", key: shop).status == .notFound)
            let kinds = try await app.database.query("SELECT kind FROM jobs").collect().map { try $0.decode(String.self) }
            #expect(kinds == ["courier_transfer"])
            try await app.database.query("UPDATE subjects SET status = 'restricted' WHERE id = \(UUID(uuidString: subjectID)!)")
            #expect(try await app.request(.get, location, key: shop).status == .conflict, "blocked like the order's list")
            #expect(try await app.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"courier-a"}"#).status == .conflict)
            try await app.database.query("UPDATE subjects SET status = 'active' WHERE id = \(UUID(uuidString: subjectID)!)")
            _ = try await app.request(.patch, "/v1/orders/\(orderID)", key: shop, json: #"{"status":"cancelled"}"#)
            #expect(try await app.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"courier-a"}"#).status == .conflict)
            #expect(try await app.rowCount("shipments") == 1)
        }
    }
}
