import CustodianAPI
import CustodianCore
import Foundation
import HTTPTypes
import Testing

@Suite("Recipients")
struct RecipientTests {
    static let configuration = APIConfiguration(outboundPolicy: OutboundAddressPolicy(allowedHosts: ["127.0.0.1"]))

    @Test("register, read, change and deactivate; the credential is never returned and the secret only once")
    func lifecycle() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let dpo = try await app.key(.dpo)
            let created = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"courier-x","name":"Courier X","kind":"courier","base_url":"https://api.courier-x.example/v1/",
                 "api_token":"tok-SECRET-123","country":"ru","country_adequate":true,"data_categories":["full_name","phone","delivery_address"]}
                """)
            #expect(created.status == .created)
            let body = try created.jsonObject()
            let secret = try #require(body["signing_secret"] as? String)
            #expect(StandardWebhooksSecret(secret) != nil)
            let recipient = try #require(body["recipient"] as? [String: Any])
            let id = try #require(recipient["id"] as? String)
            #expect(recipient["base_url"] as? String == "https://api.courier-x.example/v1")
            #expect(recipient["country"] as? String == "RU")
            #expect(recipient["has_api_token"] as? Bool == true)
            #expect(!created.text.contains("tok-SECRET-123"))

            let read = try await app.request(.get, "/v1/recipients/\(id)", key: dpo)
            #expect(!read.text.contains("tok-SECRET-123"))
            #expect(!read.text.contains(secret))
            let list = try await app.request(.get, "/v1/recipients", key: dpo)
            #expect(!list.text.contains(secret))

            let deactivated = try await app.request(.patch, "/v1/recipients/\(id)", key: dpo, json: #"{"active":false,"country":"KZ","country_adequate":false}"#)
            #expect(deactivated.status == .ok)
            #expect(try deactivated.jsonObject()["active"] as? Bool == false)
            #expect(try deactivated.jsonObject()["country"] as? String == "KZ")
            #expect(try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"courier-x","name":"Again","kind":"courier","base_url":"https://x.example","country":"RU","country_adequate":true}
                """).status == .conflict)
            #expect(try await app.request(.get, "/v1/recipients/\(UUID().uuidString)", key: dpo).status == .notFound)
            let audited = try await app.database.query("SELECT action FROM audit_log WHERE action LIKE 'recipient.%' ORDER BY id").collect()
                .map { try $0.decode(String.self) }
            #expect(audited == ["recipient.create", "recipient.update"])
        }
    }

    @Test("a manual recipient needs no base URL but a contact, and only analytics and other kinds may be manual")
    func manualDelivery() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let dpo = try await app.key(.dpo)
            let manual = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"vendor","name":"Vendor","kind":"other","delivery_mode":"manual","contact":"privacy@vendor.example","language":"en",
                 "country":"RU","country_adequate":true}
                """)
            #expect(manual.status == .created)
            let recipient = try #require(try manual.jsonObject()["recipient"] as? [String: Any])
            #expect(recipient["delivery_mode"] as? String == "manual" && recipient["base_url"] == nil && recipient["language"] as? String == "en")
            #expect(recipient["contact"] as? String == "privacy@vendor.example")
            let refusals = [
                (#"{"code":"c2","name":"C","kind":"courier","delivery_mode":"manual","contact":"x","country":"RU","country_adequate":true}"#, "delivery_mode"),
                (#"{"code":"c3","name":"C","kind":"other","delivery_mode":"manual","country":"RU","country_adequate":true}"#, "contact"),
                (#"{"code":"c4","name":"C","kind":"other","country":"RU","country_adequate":true}"#, "base_url"),
            ]
            for (json, field) in refusals {
                let refused = try await app.request(.post, "/v1/recipients", key: dpo, json: json)
                #expect(refused.status == .unprocessableContent && refused.errorFields.contains(field), "\(field): \(refused.text)")
            }
            let id = try #require(recipient["id"] as? String)
            let changed = try await app.request(.patch, "/v1/recipients/\(id)", key: dpo, json: #"{"language":"ru","contact":"dpo@vendor.example"}"#)
            #expect(changed.status == .ok)
            #expect(try changed.jsonObject()["language"] as? String == "ru")
            let toAPI = try await app.request(.patch, "/v1/recipients/\(id)", key: dpo, json: #"{"delivery_mode":"api"}"#)
            #expect(toAPI.status == .unprocessableContent && toAPI.errorFields == ["base_url"], "an API recipient needs its base URL")
            let switched = try await app.request(.patch, "/v1/recipients/\(id)", key: dpo,
                                                 json: #"{"delivery_mode":"api","base_url":"https://vendor.example/"}"#)
            #expect(switched.status == .ok)
            #expect(try switched.jsonObject()["delivery_mode"] as? String == "api")
            let back = try await app.request(.patch, "/v1/recipients/\(id)", key: dpo, json: #"{"delivery_mode":"manual"}"#)
            #expect(try back.jsonObject()["delivery_mode"] as? String == "manual", "the contact is still there")
            let courier = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"courier-m","name":"C","kind":"courier","base_url":"https://c.example","country":"RU","country_adequate":true}
                """)
            let courierID = try #require((try courier.jsonObject()["recipient"] as? [String: Any])?["id"] as? String)
            let manualCourier = try await app.request(.patch, "/v1/recipients/\(courierID)", key: dpo,
                                                      json: #"{"delivery_mode":"manual","contact":"x@c.example"}"#)
            #expect(manualCourier.status == .unprocessableContent && manualCourier.errorFields == ["delivery_mode"])
            let shop = try await app.key(.shop)
            #expect(try await app.request(.get, "/v1/manual-tasks", key: shop).status == .forbidden, "tasks are the DPO's")
            #expect(try await app.request(.get, "/v1/manual-tasks", key: dpo).status == .ok)
            #expect(try await app.request(.get, "/v1/manual-tasks/\(UUID())", key: dpo).status == .notFound)
        }
    }

    @Test("base URLs must be https and public unless allow-listed (SSRF)", arguments: [
        "http://api.example", "https://10.0.0.8", "https://169.254.169.254", "https://[::1]:8443", "https://localhost:9000", "https://192.168.0.10",
    ])
    func ssrf(url: String) async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let dpo = try await app.key(.dpo)
            let response = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"bad","name":"Bad","kind":"other","base_url":"\(url)","country":"RU","country_adequate":true}
                """)
            #expect(response.status == .unprocessableContent)
            #expect((try response.jsonObject()["errors"] as? [[String: String]])?.first?["field"] == "base_url")
            #expect(try await app.rowCount("recipients") == 0)
        }
    }

    @Test("an allow-listed host may use http; a given signing secret is kept")
    func allowList() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let dpo = try await app.key(.dpo)
            let response = try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"sim","name":"PartnerSim","kind":"email_provider","base_url":"http://127.0.0.1:9000","country":"RU","country_adequate":true,
                 "signing_secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
                """)
            #expect(response.status == .created)
            #expect(try response.jsonObject()["signing_secret"] as? String == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            #expect(try await app.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"sim2","name":"x","kind":"other","base_url":"https://x.example","country":"RU","country_adequate":true,"signing_secret":"whsec_tooshort"}
                """).status == .unprocessableContent)
        }
    }
}
