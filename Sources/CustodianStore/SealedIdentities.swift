import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A jsonb column's value sealed: one JSON string holding the value's JSON sealed under a data key for a context.
/// A value written before encryption is the plain JSON and reads as it is.
enum SealedJSON {
    /// `value` as the JSON text of a jsonb string holding it sealed under `key` for `context`.
    static func seal(_ value: some Encodable, key: DataKey, context: String) throws -> String {
        let sealed = key.seal(String(decoding: try JSONEncoder.canonical.encode(value), as: UTF8.self), context: context)
        return String(decoding: try JSONEncoder().encode(sealed), as: UTF8.self)
    }

    /// The value `text` (a jsonb value's text) holds; nil when there is none or its key is gone.
    static func open<Value: Decodable>(_ text: String?, as type: Value.Type, key: DataKey?, context: String) throws -> Value? {
        guard let text else { return nil }
        let data = Data(text.utf8)
        guard let sealed = try? JSONDecoder().decode(String.self, from: data) else { return try JSONDecoder().decode(type, from: data) }
        guard let key else { return nil }
        return try JSONDecoder().decode(type, from: Data(try key.open(sealed, context: context).utf8))
    }
}

/// The identities a notice or an erasure request will name (e-mails, phones, order references), stored sealed
/// (``SealedJSON``) under the subject's key (notices) or the cascade's (erasure requests), bound to the row they were
/// made for. A copy made for a DPO task opens with the same context. Pseudonyms are a plain JSON array.
enum SealedIdentities {
    /// The context of the identities of `row` in `table` (the table they were made for).
    static func context(_ table: String, _ row: UUID) -> String { table + ".identities/" + row.uuidString.lowercased() }

    static func seal(_ identities: [OpenDSRIdentity], key: DataKey, context: String) throws -> String {
        try SealedJSON.seal(identities, key: key, context: context)
    }

    static func open(_ text: String?, key: DataKey?, context: String) throws -> [OpenDSRIdentity]? {
        try SealedJSON.open(text, as: [OpenDSRIdentity].self, key: key, context: context)
    }
}

extension SealedIdentities {
    /// The identities `text` of DPO task `taskID` holds: a copy of those of the record it serves, so opened with that
    /// record's context, under the cascade's key (an erasure request) or the subject's (a notice); none when the key is gone.
    static func open(
        _ text: String?, ofTask taskID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> [OpenDSRIdentity] {
        guard let text else { return [] }
        guard let (subjectID, erasureRequestID, rectificationID, restrictionID, cascadeID, erasureKEK, erasureWrapped, kekID, wrapped)
            = try await connection.query("""
                SELECT t.subject_id, t.erasure_request_id, t.rectification_notice_id, t.restriction_notice_id, q.cascade_id,
                       ek.kek_id, ek.wrapped, k.kek_id, k.wrapped
                FROM manual_tasks t LEFT JOIN erasure_requests q ON q.id = t.erasure_request_id
                LEFT JOIN custodian_keys.erasure_keys ek ON ek.cascade_id = q.cascade_id
                LEFT JOIN custodian_keys.subject_keys k ON k.subject_id = t.subject_id
                WHERE t.id = \(taskID)
                """, logger: logger).decode((UUID, UUID?, UUID?, UUID?, UUID?, String?, ByteBuffer?, String?, ByteBuffer?).self).first(where: { _ in true })
        else { return [] }
        let opened: [OpenDSRIdentity]?
        if let erasureRequestID, let cascadeID {
            let key = try ErasureKeys.key(cascadeID: cascadeID, kekID: erasureKEK, wrapped: erasureWrapped, keys: keys)
            opened = try open(text, key: key, context: context("erasure_requests", erasureRequestID))
        } else {
            let key = try SubjectKeys.cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys).key
            let origin = rectificationID.map { ("rectification_notices", $0) } ?? restrictionID.map { ("restriction_notices", $0) }
            opened = try open(text, key: key, context: origin.map { context($0.0, $0.1) } ?? "")
        }
        return opened ?? []
    }
}

/// The keys of erasure cascades in `custodian_keys.erasure_keys`, each wrapped by a KEK for its cascade.
enum ErasureKeys {
    static func owner(_ cascadeID: UUID) -> String { "erasure/" + cascadeID.uuidString.lowercased() }

    /// Makes the cascade's key in the caller's transaction.
    static func create(cascadeID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws -> DataKey {
        let key = DataKey()
        let wrapped = keys.wrap(key, owner: owner(cascadeID))
        try await connection.query("""
            INSERT INTO custodian_keys.erasure_keys (cascade_id, kek_id, wrapped) VALUES (\(cascadeID), \(wrapped.kekID), \(ByteBuffer(data: wrapped.bytes)))
            """, logger: logger)
        return key
    }

    /// The key of a row read with `LEFT JOIN custodian_keys.erasure_keys` (nil when it is gone).
    static func key(cascadeID: UUID, kekID: String?, wrapped: ByteBuffer?, keys: PersonalDataKeys) throws -> DataKey? {
        guard let kekID, let wrapped else { return nil }
        return try keys.unwrap(WrappedKey(kekID: kekID, bytes: Data(buffer: wrapped)), owner: owner(cascadeID))
    }

    /// Deletes the keys of cascades none of whose requests or tasks still holds identities; returns how many.
    static func pruneSettled(on database: Database) async throws -> Int {
        try await database.query("""
            WITH pruned AS (
                DELETE FROM custodian_keys.erasure_keys k
                WHERE NOT EXISTS (SELECT 1 FROM erasure_requests q WHERE q.cascade_id = k.cascade_id AND q.identities IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM manual_tasks t JOIN erasure_requests q ON q.id = t.erasure_request_id
                                  WHERE q.cascade_id = k.cascade_id AND t.identities IS NOT NULL)
                RETURNING 1
            )
            SELECT count(*) FROM pruned
            """).collect().first?.decode(Int.self) ?? 0
    }
}
