import CustodianCore
import Testing

@Suite("Phone numbers are normalised to E.164")
struct PhoneNumberTests {
    @Test("common notations become E.164", arguments: [
        ("+7 (916) 123-45-67", "+79161234567"),
        ("8 916 123 45 67", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0049 30 123456", "+4930123456"),
        ("  +1.415.555.0100 ", "+14155550100"),
    ])
    func normalises(raw: String, expected: String) throws {
        #expect(try PhoneNumber.normalise(raw).get() == expected)
    }

    @Test("anything else is rejected with a fixed message", arguments: [
        "", "abc", "12345", "+0123456789", "+1234567890123456", "916-CALL-NOW", "+7 916 123 45 67 ext 1", "++79161234567",
    ])
    func rejects(raw: String) {
        guard case .failure(let error) = PhoneNumber.normalise(raw) else {
            Issue.record("accepted \(raw)")
            return
        }
        #expect(error == FieldError(field: "phone", message: "must be a telephone number in E.164 form such as +79161234567"))
    }
}
