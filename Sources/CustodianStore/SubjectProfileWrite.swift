import CustodianCore
import Foundation
import Logging
import PostgresNIO

extension SubjectRepository {
    /// Writes a correction of a subject's row on `connection` (inside the caller's transaction, which holds the row):
    /// each given profile field sealed under the subject's key, with the blind index of a new e-mail or phone, and the
    /// given plain columns; a nil member leaves its column as it is. The row as it now is; nil when there is none.
    /// Both the shop's PATCH and a fulfilled rectification request write through here.
    static func writeProfile(
        subjectID: UUID, fullName: String?, email: String?, phone: String?, registrationAddress: String?,
        externalRef: String? = nil, locale: String? = nil, hasAccount: Bool? = nil,
        cipher: SubjectCipher, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> SubjectRecord? {
        let rows = try await connection.query("""
            UPDATE subjects s SET
                external_ref = COALESCE(\(externalRef), external_ref),
                full_name = COALESCE(\(cipher.seal(fullName, "subjects.full_name")), full_name),
                email = COALESCE(\(cipher.seal(email, "subjects.email")), email),
                email_index = COALESCE(\(email.map { ByteBuffer(data: keys.emailIndex($0)) }), email_index),
                phone = COALESCE(\(cipher.seal(phone, "subjects.phone")), phone),
                phone_index = COALESCE(\(phone.map { ByteBuffer(data: keys.phoneIndex($0)) }), phone_index),
                registration_address = COALESCE(\(cipher.seal(registrationAddress, "subjects.registration_address")), registration_address),
                locale = COALESCE(\(locale), locale),
                has_account = COALESCE(\(hasAccount), has_account),
                updated_at = now()
            WHERE id = \(subjectID)
            RETURNING \(unescaped: columns)
            """, logger: logger)
        return try await decode(rows, cipher: cipher).first
    }
}
