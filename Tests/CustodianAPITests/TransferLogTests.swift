import Foundation
import PostgresNIO
import Testing

@Suite("The transfer log over the API")
struct TransferLogTests {
    @Test("a subject's transfers come oldest first in keyset pages; each page read is audited; unknown subjects are 404")
    func pages() async throws {
        try await TestApp.run { app in
            let shop = try await app.key(.shop)
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: shop, externalRef: "t-1", email: "log@example.com")
            let subjectID = try #require(subject["id"] as? String)
            try await app.database.query("""
                INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate)
                VALUES ('00000000-0000-0000-0000-00000000c0de', 'courier', 'Courier', 'courier', 'https://courier.example',
                        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'RU', true)
                """)
            try await app.database.query("""
                INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis)
                SELECT '00000000-0000-0000-0000-00000000c0de', \(UUID(uuidString: subjectID)!), '{full_name,phone}', 'delivery', 'contract'
                FROM generate_series(1, 5)
                """)

            var ids: [Int64] = []
            var cursor: String?
            var pages = 0
            repeat {
                let response = try await app.request(
                    .get, "/v1/subjects/\(subjectID)/transfers?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), key: dpo)
                #expect(response.status == .ok)
                let page = try response.jsonObject()
                let items = try #require(page["items"] as? [[String: Any]])
                ids += items.compactMap { ($0["id"] as? NSNumber)?.int64Value }
                #expect(items.allSatisfy { $0["recipient"] as? String == "courier" && $0["purpose"] as? String == "delivery" })
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(ids.count == 5 && ids == ids.sorted() && Set(ids).count == 5)
            #expect(pages == 3)
            let audited = try await app.database.query("SELECT count(*) FROM audit_log WHERE action = 'transfer.read'")
                .collect().first?.decode(Int.self)
            #expect(audited == 3)

            let unknown = try await app.request(.get, "/v1/subjects/\(UUID().uuidString)/transfers", key: dpo)
            #expect(unknown.status == .notFound)
            #expect(try await app.request(.get, "/v1/subjects/\(subjectID)/transfers?cursor=x", key: dpo).status == .unprocessableContent)
            #expect(try await app.request(.get, "/v1/subjects/\(subjectID)/transfers?limit=0", key: dpo).status.code == 422)
            let auditedAfter = try await app.database.query("SELECT count(*) FROM audit_log WHERE action = 'transfer.read'")
                .collect().first?.decode(Int.self)
            #expect(auditedAfter == 3, "refused and unknown reads record nothing")
        }
    }
}
