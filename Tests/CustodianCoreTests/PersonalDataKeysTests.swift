import CustodianCore
import Foundation
import Testing

/// Sealing under data keys, wrapping under KEKs, and blind indexes.
@Suite("Personal data keys")
struct PersonalDataKeysTests {
    static func keys(_ current: String, previous: [String] = []) throws -> PersonalDataKeys {
        let current = try #require(KeyEncryptionKey(setting: current))
        let previous = previous.compactMap(KeyEncryptionKey.init(setting:))
        return try #require(PersonalDataKeys(current: current, previous: previous, indexKey: Data(repeating: 7, count: 32)))
    }

    @Test("a sealed value opens only under its key and for its place, and shows nothing of the text")
    func sealing() throws {
        let key = DataKey()
        let sealed = key.seal("Пётр Кузнецов", context: "subjects.full_name/1")
        #expect(DataKey.isSealed(sealed) && !sealed.contains("Пётр"))
        #expect(key.seal("Пётр Кузнецов", context: "subjects.full_name/1") != sealed, "a fresh nonce each time")
        #expect(try key.open(sealed, context: "subjects.full_name/1") == "Пётр Кузнецов")
        #expect(throws: DataKey.Unreadable.self) { try key.open(sealed, context: "subjects.full_name/2") }
        #expect(throws: DataKey.Unreadable.self) { try DataKey().open(sealed, context: "subjects.full_name/1") }
        #expect(try key.open("written before encryption", context: "x") == "written before encryption")
    }

    @Test("a data key wraps under the current KEK for its owner; a previous KEK still unwraps until rewrapped")
    func wrapping() throws {
        let old = KeyEncryptionKey.newSetting(id: "old")
        let new = KeyEncryptionKey.newSetting(id: "new")
        let before = try Self.keys(old)
        let key = DataKey()
        let wrapped = before.wrap(key, owner: "subject/a")
        #expect(wrapped.kekID == "old")
        let sealed = key.seal("x@example.com", context: "c")
        #expect(throws: PersonalDataKeys.UnknownKEK.self) { try before.unwrap(wrapped, owner: "subject/b") }

        let during = try Self.keys(new, previous: [old])
        #expect(try during.unwrap(wrapped, owner: "subject/a").open(sealed, context: "c") == "x@example.com")
        let rewrapped = try #require(try during.rewrap(wrapped, owner: "subject/a"))
        #expect(rewrapped.kekID == "new")
        #expect(try during.rewrap(rewrapped, owner: "subject/a") == nil, "already under the current KEK")

        let after = try Self.keys(new)
        #expect(try after.unwrap(rewrapped, owner: "subject/a").open(sealed, context: "c") == "x@example.com")
        #expect(throws: PersonalDataKeys.UnknownKEK.self) { try after.unwrap(wrapped, owner: "subject/a") }
    }

    @Test("blind indexes: the same for an e-mail in any case, different under another index key")
    func blindIndexes() throws {
        let keys = try Self.keys(KeyEncryptionKey.newSetting(id: "k"))
        #expect(keys.emailIndex("Petr@Example.com") == keys.emailIndex("petr@example.com"))
        #expect(keys.emailIndex("petr@example.com") != keys.phoneIndex("petr@example.com"))
        #expect(keys.phoneIndex("+79001234567").count == 32)
        let other = try #require(PersonalDataKeys(current: keys.current, indexKey: Data(repeating: 8, count: 32)))
        #expect(other.emailIndex("petr@example.com") != keys.emailIndex("petr@example.com"))
        #expect(PersonalDataKeys(current: keys.current, indexKey: Data(repeating: 8, count: 31)) == nil)
    }

    @Test("a KEK setting is id:base64 of exactly 32 bytes", arguments: [
        ("k1:" + Data(repeating: 1, count: 32).base64EncodedString(), true),
        ("k1:" + Data(repeating: 1, count: 31).base64EncodedString(), false),
        ("k1:" + Data(repeating: 1, count: 64).base64EncodedString(), false),
        (":" + Data(repeating: 1, count: 32).base64EncodedString(), false),
        ("bad id:" + Data(repeating: 1, count: 32).base64EncodedString(), false),
        (Data(repeating: 1, count: 32).base64EncodedString(), false),
    ])
    func settings(setting: String, valid: Bool) {
        #expect((KeyEncryptionKey(setting: setting) != nil) == valid)
    }
}
