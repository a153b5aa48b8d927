import CustodianCore
import Foundation
import Logging
import PostgresNIO

extension SubjectRepository {
    /// Writes a correction of a subject's row on `connection` (inside the caller's transaction, which holds the row):
    /// each given profile field sealed under the subject's key, with the blind index of a new e-mail or phone, and the
    /// given plain columns; a nil member leaves its column as it is, a cleared one empties it (and its blind index).
    /// The row as it now is; nil when there is none.
    /// Both the shop's PATCH and a fulfilled rectification request write through here.
    static func writeProfile(
        subjectID: UUID, fullName: String?, email: String?, phone: String?, registrationAddress: String?,
        externalRef: String? = nil, locale: String? = nil, hasAccount: Bool? = nil, clearing cleared: Set<SubjectChanges.Clearable> = [],
        cipher: SubjectCipher, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> SubjectRecord? {
        let rows = try await connection.query("""
            UPDATE subjects s SET
                external_ref = COALESCE(\(externalRef), external_ref),
                full_name = COALESCE(\(cipher.seal(fullName, "subjects.full_name")), full_name),
                email = CASE WHEN \(cleared.contains(.email)) THEN NULL ELSE COALESCE(\(cipher.seal(email, "subjects.email")), email) END,
                email_index = CASE WHEN \(cleared.contains(.email)) THEN NULL
                                   ELSE COALESCE(\(email.map { ByteBuffer(data: keys.emailIndex($0)) }), email_index) END,
                phone = CASE WHEN \(cleared.contains(.phone)) THEN NULL ELSE COALESCE(\(cipher.seal(phone, "subjects.phone")), phone) END,
                phone_index = CASE WHEN \(cleared.contains(.phone)) THEN NULL
                                   ELSE COALESCE(\(phone.map { ByteBuffer(data: keys.phoneIndex($0)) }), phone_index) END,
                registration_address = CASE WHEN \(cleared.contains(.registrationAddress)) THEN NULL
                                            ELSE COALESCE(\(cipher.seal(registrationAddress, "subjects.registration_address")), registration_address) END,
                locale = COALESCE(\(locale), locale),
                has_account = COALESCE(\(hasAccount), has_account),
                updated_at = now()
            WHERE id = \(subjectID)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        return try await decode(rows, cipher: cipher).first
    }
}
