import CustodianCore
import Testing

@Suite("E-mail addresses are checked for shape")
struct EmailAddressTests {
    @Test("valid addresses are kept as given, trimmed", arguments: [
        ("Ivan.Petrov@Example.com", "Ivan.Petrov@Example.com"),
        ("  a+tag@mail.example.ru\n", "a+tag@mail.example.ru"),
        ("пользователь@пример.рф", "пользователь@пример.рф"),
    ])
    func accepts(raw: String, expected: String) throws {
        #expect(try EmailAddress.normalise(raw).get() == expected)
    }

    @Test("malformed addresses are rejected", arguments: [
        "", "plain", "a@b", "a@@b.com", "a b@c.com", "@example.com", "a@.com", "a@example..com", "a@-x.com",
        String(repeating: "a", count: 65) + "@example.com", "a@exa,mple.com",
    ])
    func rejects(raw: String) {
        guard case .failure(let error) = EmailAddress.normalise(raw) else {
            Issue.record("accepted \(raw)")
            return
        }
        #expect(error.field == "email")
    }
}
