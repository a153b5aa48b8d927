import CustodianCore
import Testing

@Suite("Subject input is validated field by field")
struct SubjectInputTests {
    @Test("a valid subject is normalised")
    func normalises() throws {
        let subject = try NewSubject(
            externalRef: " c-1 ", fullName: "Иван Петров", email: "Ivan@Example.com", phone: "8 916 123-45-67",
            registrationAddress: "Москва,\nул. Тверская, 1", locale: nil)
        #expect(subject.externalRef == "c-1")
        #expect(subject.phone == "+79161234567")
        #expect(subject.email == "Ivan@Example.com")
        #expect(subject.locale == NewSubject.defaultLocale)
        #expect(subject.registrationAddress == "Москва,\nул. Тверская, 1")
    }

    @Test("every invalid field is reported at once, in input order")
    func reportsAllErrors() {
        #expect(throws: ValidationFailure.self) {
            try NewSubject(externalRef: "", fullName: "a\u{0}b", email: "nope", phone: "x", registrationAddress: nil, locale: "english!")
        }
        do {
            _ = try NewSubject(externalRef: "", fullName: "a\u{0}b", email: "nope", phone: "x", registrationAddress: nil, locale: "english!")
        } catch {
            #expect(error.errors.map(\.field) == ["external_ref", "full_name", "email", "phone", "locale"])
        }
    }

    @Test("text lengths count code points, as JSON Schema's maxLength does: 300 two-byte letters pass, 301 do not, nor one letter with 300 combining marks")
    func tooLong() throws {
        let longest = try NewSubject(
            externalRef: "c", fullName: String(repeating: "я", count: 300), email: nil, phone: nil, registrationAddress: nil, locale: "ru")
        #expect(longest.fullName.unicodeScalars.count == 300)
        for name in [String(repeating: "я", count: 301), "a" + String(repeating: "\u{301}", count: 300)] {
            do {
                _ = try NewSubject(externalRef: "c", fullName: name, email: nil, phone: nil, registrationAddress: nil, locale: "ru")
                Issue.record("accepted a name of \(name.unicodeScalars.count) code points")
            } catch {
                #expect(error.errors == [FieldError(field: "full_name", message: "must be at most 300 characters")])
            }
        }
    }

    @Test("a correction needs at least one field and validates the given ones")
    func changes() throws {
        #expect(throws: ValidationFailure([FieldError(field: "body", message: "must contain at least one field to correct")])) {
            try SubjectChanges(externalRef: nil, fullName: nil, email: nil, phone: nil, registrationAddress: nil, locale: nil)
        }
        let changes = try SubjectChanges(externalRef: nil, fullName: nil, email: nil, phone: "+7 916 000 00 00", registrationAddress: nil, locale: "en-GB")
        #expect(changes.phone == "+79160000000")
        #expect(changes.locale == "en-GB")
        #expect(changes.fullName == nil)
    }
}
