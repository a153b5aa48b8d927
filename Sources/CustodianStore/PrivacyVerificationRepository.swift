import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// What a verification job needs when it runs.
public struct VerificationContact: Sendable {
    public let subjectID: UUID
    public let email: String?
    public let locale: String
    public let createdAt: Date
    public let used: Bool
}

/// How a try of a code ended; a session token only when accepted.
public enum VerificationResult: Sendable, Equatable {
    case verified(sessionToken: String, subjectID: UUID)
    /// Wrong, expired, exhausted — or no code was requested for that address (answered like a wrong code).
    case refused(VerificationOutcome?)
}

/// The privacy center's verification (issue 23): a code requested for an address, sent by the worker, tried by the
/// customer; a 30-minute session when it matches.
public struct PrivacyVerificationRepository: Sendable {
    let database: Database

    public static let verifiedAction = "privacy.verified"

    public init(database: Database) {
        self.database = database
    }

    /// Requests a code for `email`. Known and unknown addresses take the same path — one statement that inserts a
    /// verification only when a subject (not erased) has that address — and only a known one enqueues the job; the
    /// caller answers both alike.
    public func request(email: String) async throws {
        let index = ByteBuffer(data: try database.requireKeys().emailIndex(email))
        try await database.transaction { connection in
            let logger = database.logger
            let id = UUID()
            guard let subjectID = try await connection.query("""
                INSERT INTO privacy_verifications (id, subject_id)
                SELECT \(id), id FROM subjects
                WHERE (email_index = \(index) OR (email_index IS NULL AND lower(email) = lower(\(email)))) AND status <> 'erased'
                RETURNING subject_id
                """, logger: logger).decode(UUID.self).first(where: { _ in true }) else { return }
            try await JobQueue.enqueue(
                VerificationCodeJob.self, .init(verificationID: id), uniqueKey: "\(VerificationCodeJob.name):\(id.uuidString.lowercased())",
                subjectID: subjectID, on: connection, logger: logger)
        }
    }

    /// Tries `code` against the latest unused code of `email`'s subject (the try counts whatever its outcome); a
    /// match uses it up and opens a session of ``VerificationCode/sessionLifetime`` whose token only the customer holds
    /// (its SHA-256 is stored), audited as the subject's act.
    public func verify(email: String, code: String, key: VerificationCodeKey, now: Date = Date()) async throws -> VerificationResult {
        let index = ByteBuffer(data: try database.requireKeys().emailIndex(email))
        return try await database.transaction { connection in
            let logger = database.logger
            guard let (id, subjectID, attempts, createdAt) = try await connection.query("""
                SELECT v.id, v.subject_id, v.attempts, v.created_at
                FROM privacy_verifications v JOIN subjects s ON s.id = v.subject_id
                WHERE (s.email_index = \(index) OR (s.email_index IS NULL AND lower(s.email) = lower(\(email))))
                  AND s.status <> 'erased' AND v.used_at IS NULL
                ORDER BY v.created_at DESC LIMIT 1
                FOR UPDATE OF v
                """, logger: logger).decode((UUID, UUID, Int, Date).self).first(where: { _ in true }) else { return .refused(nil) }
            let outcome = VerificationCode.check(entered: code, expected: key.code(for: id), createdAt: createdAt, attemptsBefore: attempts, now: now)
            try await connection.query("""
                UPDATE privacy_verifications SET attempts = attempts + 1,
                    used_at = CASE WHEN \(outcome == .accepted) THEN \(now) END
                WHERE id = \(id)
                """, logger: logger)
            guard outcome == .accepted else { return .refused(outcome) }
            let token = RandomToken.make()
            try await connection.query("""
                INSERT INTO privacy_sessions (token_hash, subject_id, expires_at)
                VALUES (\(PrivacyCenterRepository.hash(token)), \(subjectID), \(now.addingTimeInterval(VerificationCode.sessionLifetime)))
                """, logger: logger)
            try await AuditRepository.append(
                action: Self.verifiedAction, subjectID: subjectID, actor: .subject(requestID: "privacy-verification"), on: connection, logger: logger)
            return .verified(sessionToken: token, subjectID: subjectID)
        }
    }

    /// The verification and where to send its code; nil when it no longer exists.
    public func contact(verificationID: UUID) async throws -> VerificationContact? {
        let keys = try database.requireKeys()
        guard let (subjectID, email, locale, createdAt, used, kekID, wrapped) = try await database.query("""
            SELECT v.subject_id, s.email, s.locale, v.created_at, v.used_at IS NOT NULL, \(unescaped: SubjectKeys.columns)
            FROM privacy_verifications v JOIN subjects s ON s.id = v.subject_id \(unescaped: SubjectKeys.join) WHERE v.id = \(verificationID)
            """).decode((UUID, String?, String, Date, Bool, String?, ByteBuffer?).self).first(where: { _ in true }) else { return nil }
        let opened = try SubjectKeys.identifiers(subjectID: subjectID, email: email, phone: nil, kekID: kekID, wrapped: wrapped, keys: keys)
        return VerificationContact(subjectID: subjectID, email: opened.email, locale: locale, createdAt: createdAt, used: used)
    }

    /// Deletes the codes and sessions no one can use any more: codes a day after they were asked for (long past their
    /// 10 minutes; kept that long to count tries), sessions once expired.
    public func prune(now: Date) async throws {
        try await database.query("DELETE FROM privacy_verifications WHERE created_at < \(now.addingTimeInterval(-Self.verificationKeep))")
        try await database.query("DELETE FROM privacy_sessions WHERE expires_at < \(now)")
    }

    /// How long a code's row is kept.
    static let verificationKeep: TimeInterval = 86400
}
