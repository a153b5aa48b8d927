import CustodianStore
import Foundation
import Testing

/// A customer subscribed to the newsletter, PartnerSim as the e-mail provider, a policy `v1`: where the customers'
/// own pages (unsubscribe link, privacy center) start.
struct NewsletterSubscriber {
    let subjectID: String
    let shop: String
    let dpo: String

    init(_ stack: EndToEndStack, externalRef: String, fullName: String, email: String) async throws {
        dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
        shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
        try await ErasureCascadeTests.registerMailProvider(stack, dpo: dpo)
        _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "c", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"\(externalRef)","full_name":"\(fullName)","email":"\(email)"}
            """)
        subjectID = try #require(subject["id"] as? String)
        _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
            {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"web_form"}
            """)
    }
}
