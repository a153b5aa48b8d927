import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A subject's personal data as sealed in the database: each value under the subject's data key, bound to its
/// column and row (the subject, or the subject's order whose delivery block it is). Without a key (a subject written before encryption) values are plain and pass as they are; a
/// sealed value whose key is gone (erased, or a restored backup read with the current keys) reads as nothing.
struct SubjectCipher: Sendable {
    let subjectID: UUID
    let key: DataKey?

    /// The context a value of `column` (e.g. `subjects.email`) in row `row` (by default the subject's) is sealed for.
    func context(_ column: String, row: UUID?) -> String { column + "/" + (row ?? subjectID).uuidString.lowercased() }

    /// `value` sealed for `column` of `row`; a cipher without a key (never used for writes) leaves it plain.
    func seal(_ value: String?, _ column: String, row: UUID? = nil) -> String? {
        guard let key, let value else { return value }
        return key.seal(value, context: context(column, row: row))
    }

    /// The value `stored` in `column` of `row` holds; nil when it is sealed and the key is gone.
    func open(_ stored: String?, _ column: String, row: UUID? = nil) throws -> String? {
        guard let stored else { return nil }
        guard let key else { return DataKey.isSealed(stored) ? nil : stored }
        return try key.open(stored, context: context(column, row: row))
    }

    /// Each of `lines` sealed for `column` of `row`.
    func seal(_ lines: [String]?, _ column: String, row: UUID) -> [String]? {
        lines.map { $0.map { seal($0, column, row: row) ?? $0 } }
    }

    /// Each of the `stored` lines opened; nil when they are sealed and the key is gone.
    func open(_ stored: [String]?, _ column: String, row: UUID) throws -> [String]? {
        guard let stored else { return nil }
        let opened = try stored.map { try open($0, column, row: row) }
        return opened.contains(nil) ? nil : opened.compactMap { $0 }
    }
}

/// The subjects' data keys in `custodian_keys.subject_keys`, each wrapped by a KEK for its subject.
enum SubjectKeys {
    /// Joins the key of the subject that the SQL expression `subjectID` names, for
    /// ``cipher(subjectID:kekID:wrapped:keys:)``'s columns.
    static func join(on subjectID: String) -> String {
        "LEFT JOIN custodian_keys.subject_keys k ON k.subject_id = \(subjectID)"
    }
    /// Joins a subject row aliased `s` with its key.
    static let join = join(on: "s.id")
    /// Joins an order row aliased `o` with its subject's key.
    static let orderJoin = join(on: "o.subject_id")
    /// The key's columns as the join names them.
    static let columns = "k.kek_id, k.wrapped"

    /// The owner a subject's key is wrapped for.
    static func owner(_ subjectID: UUID) -> String { "subject/" + subjectID.uuidString.lowercased() }

    /// The cipher of a row read with ``join``.
    static func cipher(subjectID: UUID, kekID: String?, wrapped: ByteBuffer?, keys: PersonalDataKeys) throws -> SubjectCipher {
        guard let kekID, let wrapped else { return SubjectCipher(subjectID: subjectID, key: nil) }
        let key = try keys.unwrap(WrappedKey(kekID: kekID, bytes: Data(buffer: wrapped)), owner: owner(subjectID))
        return SubjectCipher(subjectID: subjectID, key: key)
    }

    /// A subject's e-mail and phone as read with ``join``, opened.
    static func identifiers(
        subjectID: UUID, email: String?, phone: String?, kekID: String?, wrapped: ByteBuffer?, keys: PersonalDataKeys
    ) throws -> (email: String?, phone: String?) {
        let cipher = try cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys)
        return (try cipher.open(email, "subjects.email"), try cipher.open(phone, "subjects.phone"))
    }

    /// A subject's four profile values as read with ``join``, opened, by category.
    static func profile(
        subjectID: UUID, fullName: String?, email: String?, phone: String?, address: String?, kekID: String?, wrapped: ByteBuffer?,
        keys: PersonalDataKeys
    ) throws -> [DataCategory: String?] {
        try profile(fullName: fullName, email: email, phone: phone, address: address, cipher: cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys))
    }

    /// A subject's four profile values, opened with its cipher, by category.
    static func profile(fullName: String?, email: String?, phone: String?, address: String?, cipher: SubjectCipher) throws -> [DataCategory: String?] {
        [
            .fullName: try cipher.open(fullName, "subjects.full_name"), .email: try cipher.open(email, "subjects.email"),
            .phone: try cipher.open(phone, "subjects.phone"), .registrationAddress: try cipher.open(address, "subjects.registration_address"),
        ]
    }

    /// Subject `subjectID`'s e-mail and phone, opened, its row locked `FOR UPDATE`; nil when there is no such subject.
    static func lockIdentifiers(
        of subjectID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> (email: String?, phone: String?)? {
        guard let (email, phone, kekID, wrapped) = try await connection.query("""
            SELECT s.email, s.phone, \(unescaped: columns) FROM subjects s \(unescaped: join) WHERE s.id = \(subjectID) FOR UPDATE OF s
            """, logger: logger).decode((String?, String?, String?, ByteBuffer?).self).first(where: { _ in true }) else { return nil }
        return try identifiers(subjectID: subjectID, email: email, phone: phone, kekID: kekID, wrapped: wrapped, keys: keys)
    }

    /// The subject's cipher for a write, its key made (in the caller's transaction) when it has none yet.
    static func obtain(subjectID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws -> SubjectCipher {
        let stored = try await load(subjectID: subjectID, keys: keys, on: connection, logger: logger)
        if stored.key != nil { return stored }
        let key = DataKey()
        let wrapped = keys.wrap(key, owner: owner(subjectID))
        let inserted = try await connection.query("""
            INSERT INTO custodian_keys.subject_keys (subject_id, kek_id, wrapped) VALUES (\(subjectID), \(wrapped.kekID), \(ByteBuffer(data: wrapped.bytes)))
            ON CONFLICT (subject_id) DO NOTHING RETURNING 1
            """, logger: logger).decode(Int.self).first(where: { _ in true }) != nil
        if inserted { return SubjectCipher(subjectID: subjectID, key: key) }
        // Another transaction made it first.
        return try await load(subjectID: subjectID, keys: keys, on: connection, logger: logger)
    }

    /// The subject's cipher as stored (its key nil when it has none).
    static func load(subjectID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws -> SubjectCipher {
        guard let (kekID, wrapped) = try await connection.query(
            "SELECT kek_id, wrapped FROM custodian_keys.subject_keys WHERE subject_id = \(subjectID)", logger: logger
        ).decode((String, ByteBuffer).self).first(where: { _ in true }) else { return SubjectCipher(subjectID: subjectID, key: nil) }
        return try cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys)
    }

    /// Deletes the subject's key in the caller's transaction (its erasure): what it sealed, wherever a copy is, no
    /// longer opens.
    static func destroy(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM custodian_keys.subject_keys WHERE subject_id = \(subjectID)", logger: logger)
    }
}

extension Database {
    /// The keys for personal data, or ``StoreError/noPersonalDataKeys``.
    func requireKeys() throws -> PersonalDataKeys {
        guard let personalDataKeys else { throw StoreError.noPersonalDataKeys }
        return personalDataKeys
    }
}
