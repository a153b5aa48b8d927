import CustodianCore
import Testing

@Suite("API keys")
struct APIKeySecretTests {
    @Test("a generated key parses back and matches its own hash only")
    func roundTrip() throws {
        let key = APIKeySecret.generate()
        let parsed = try #require(APIKeySecret(token: key.token))
        #expect(parsed == key)
        #expect(parsed.lookupID.count == 16)
        #expect(parsed.hash.count == 32)
        #expect(parsed.matches(storedHash: key.hash))
        #expect(!parsed.matches(storedHash: APIKeySecret.generate().hash))
        #expect(!parsed.matches(storedHash: Array(key.hash.dropLast())))
    }

    @Test("every key of the right shape parses, with its lookup id")
    func accepts() throws {
        let token = "cus_0123456789abcdef_" + "AZaz09-_" + String(repeating: "x", count: 35)
        let parsed = try #require(APIKeySecret(token: token))
        #expect(parsed.lookupID == "0123456789abcdef")
        #expect(parsed.token == token)
    }

    @Test("two keys differ")
    func unique() {
        #expect(APIKeySecret.generate().token != APIKeySecret.generate().token)
    }

    @Test("malformed keys are not parsed", arguments: [
        "", "cus_", "cus_0123456789abcdef", "cus_0123456789ABCDEF_" + String(repeating: "a", count: 43),
        "key_0123456789abcdef_" + String(repeating: "a", count: 43), "cus_0123456789abcdef_" + String(repeating: "a", count: 42),
        "cus_0123456789abcdef_" + String(repeating: "=", count: 43),
        "cus_0123456789abcdef_" + String(repeating: "a", count: 44), "cus_0123456789abcdefa" + String(repeating: "a", count: 43),
        "cus_0123456789abcdeg_" + String(repeating: "a", count: 43), "cus_0123456789abcdef_" + String(repeating: "a", count: 41) + "é",
        "CUS_0123456789abcdef_" + String(repeating: "a", count: 43), " cus_0123456789abcdef_" + String(repeating: "a", count: 42),
    ])
    func rejects(token: String) {
        #expect(APIKeySecret(token: token) == nil)
    }

    @Test("dpo may do everything, shop only shop operations")
    func scopes() {
        #expect(APIKeyScope.dpo.permits(.dpo))
        #expect(APIKeyScope.dpo.permits(.shop))
        #expect(APIKeyScope.shop.permits(.shop))
        #expect(!APIKeyScope.shop.permits(.dpo))
    }
}
