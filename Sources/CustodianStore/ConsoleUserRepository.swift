import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// A console user as the store reads it; never the password hash or the TOTP secret.
public struct ConsoleUser: Sendable, Equatable {
    public let id: UUID
    public let email: String
    public let role: ConsoleRole
    public let enrolledAt: Date?
    public let disabledAt: Date?
}

/// Why a console user could not be created or enrolled.
public enum ConsoleEnrolmentRefusal: Error, Sendable, Equatable {
    case invalidEmail
    /// A user with this e-mail exists.
    case duplicate
    /// The link is unknown, used or expired.
    case linkInvalid
    case passwordUnacceptable
    /// The dpo role enrols a second factor.
    case secondFactorRequired
}

/// Named console users and their one-time enrolment links.
public struct ConsoleUserRepository: Sendable {
    let database: Database
    /// PBKDF2 iterations of new password hashes (tests use fewer than the default).
    let passwordIterations: Int

    public init(database: Database, passwordIterations: Int = PasswordHash.defaultIterations) {
        self.database = database
        self.passwordIterations = passwordIterations
    }

    /// Creates a user who has yet to enrol, with a one-time enrolment link's token valid for
    /// ``ConsoleSessionPolicy/enrolmentValidity``.
    public func create(email: String, role: ConsoleRole) async throws -> (ConsoleUser, enrolment: ConsoleToken) {
        guard case .success(let normalised) = EmailAddress.normalise(email) else { throw ConsoleEnrolmentRefusal.invalidEmail }
        let address = normalised.lowercased()
        let token = ConsoleToken.generate()
        let id = UUID()
        do {
            return try await database.transaction { connection in
                let logger = database.logger
                let rows = try await connection.query("""
                    INSERT INTO console_users (id, email, role) VALUES (\(id), \(address), \(role.rawValue))
                    RETURNING id, email, role, enrolled_at, disabled_at
                    """, logger: logger)
                guard let user = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
                try await connection.query("""
                    INSERT INTO console_enrolments (token_hash, user_id, expires_at)
                    VALUES (\(ByteBuffer(bytes: token.hash)), \(id), now() + make_interval(secs => \(ConsoleSessionPolicy.enrolmentValidity)))
                    """, logger: logger)
                return (user, token)
            }
        } catch let failure as DatabaseFailure where failure.isUniqueViolation {
            throw ConsoleEnrolmentRefusal.duplicate
        }
    }

    /// A new one-time enrolment link for an existing user (a forgotten password, a lost authenticator); earlier
    /// links stop working. The user keeps their password until they use it. Nil when there is no such user.
    public func newEnrolment(email: String) async throws -> (ConsoleUser, enrolment: ConsoleToken)? {
        let token = ConsoleToken.generate()
        return try await database.transaction { connection in
            let logger = database.logger
            guard let user = try await Self.decode(connection.query("""
                SELECT id, email, role, enrolled_at, disabled_at FROM console_users
                WHERE email = \(email.trimmingWhitespace().lowercased()) AND disabled_at IS NULL FOR UPDATE
                """, logger: logger)).first else { return nil }
            try await connection.query(
                "UPDATE console_enrolments SET used_at = now() WHERE user_id = \(user.id) AND used_at IS NULL", logger: logger)
            try await connection.query("""
                INSERT INTO console_enrolments (token_hash, user_id, expires_at)
                VALUES (\(ByteBuffer(bytes: token.hash)), \(user.id), now() + make_interval(secs => \(ConsoleSessionPolicy.enrolmentValidity)))
                """, logger: logger)
            return (user, token)
        }
    }

    /// The user a still valid enrolment link belongs to; nil when the link is unknown, used or expired.
    public func enrolling(_ token: ConsoleToken) async throws -> ConsoleUser? {
        try await Self.decode(database.query("""
            SELECT u.id, u.email, u.role, u.enrolled_at, u.disabled_at
            FROM console_enrolments e JOIN console_users u ON u.id = e.user_id
            WHERE e.token_hash = \(ByteBuffer(bytes: token.hash)) AND e.used_at IS NULL AND e.expires_at > now() AND u.disabled_at IS NULL
            """)).first
    }

    /// Sets the password (and the TOTP secret, which the dpo role must enrol) through a valid link, which is then
    /// used up; the user's earlier sessions end. A TOTP secret counts as enrolled only with a code it produced now.
    public func enrol(_ token: ConsoleToken, password: String, totp: TOTP?, code: String?, now: Date = Date()) async throws -> ConsoleUser {
        guard ConsolePasswordRule.isAcceptable(password) else { throw ConsoleEnrolmentRefusal.passwordUnacceptable }
        let step = try totp.map { totp in
            guard let code, let step = totp.matchingStep(of: code, at: now) else { throw ConsoleEnrolmentRefusal.secondFactorRequired }
            return step
        }
        // Hashing takes a fraction of a second: outside the transaction.
        let iterations = passwordIterations
        let hash = try await NIOThreadPool.singleton.runIfActive { try PasswordHash.make(password: password, iterations: iterations) }
        return try await database.transaction { connection in
            let logger = database.logger
            guard let user = try await Self.decode(connection.query("""
                UPDATE console_enrolments e SET used_at = now()
                FROM console_users u
                WHERE e.token_hash = \(ByteBuffer(bytes: token.hash)) AND e.used_at IS NULL AND e.expires_at > now()
                  AND u.id = e.user_id AND u.disabled_at IS NULL
                RETURNING u.id, u.email, u.role, u.enrolled_at, u.disabled_at
                """, logger: logger)).first else { throw ConsoleEnrolmentRefusal.linkInvalid }
            guard !user.role.requiresSecondFactor || totp != nil else { throw ConsoleEnrolmentRefusal.secondFactorRequired }
            let rows = try await connection.query("""
                UPDATE console_users SET password_hash = \(hash.encoded), totp_secret = \(totp.map { ByteBuffer(bytes: $0.secret) }),
                    totp_last_step = \(step), enrolled_at = now()
                WHERE id = \(user.id)
                RETURNING id, email, role, enrolled_at, disabled_at
                """, logger: logger)
            try await connection.query(
                "UPDATE console_sessions SET ended_at = now() WHERE user_id = \(user.id) AND ended_at IS NULL", logger: logger)
            guard let enrolled = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
            return enrolled
        }
    }

    /// The e-mails of the users with `ids` (pages name the user behind an action).
    public func emails(ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var emails: [UUID: String] = [:]
        for try await (id, email) in try await database.query("SELECT id, email FROM console_users WHERE id = ANY(\(ids))").decode((UUID, String).self) {
            emails[id] = email
        }
        return emails
    }

    /// The user with `email` (any case); nil when there is none.
    public func find(email: String) async throws -> ConsoleUser? {
        try await Self.decode(database.query("""
            SELECT id, email, role, enrolled_at, disabled_at FROM console_users WHERE email = \(email.trimmingWhitespace().lowercased())
            """)).first
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [ConsoleUser] {
        var users: [ConsoleUser] = []
        for try await (id, email, role, enrolledAt, disabledAt) in rows.decode((UUID, String, String, Date?, Date?).self) {
            guard let role = ConsoleRole(rawValue: role) else { throw StoreError.unexpectedValue(column: "console_users.role") }
            users.append(ConsoleUser(id: id, email: email, role: role, enrolledAt: enrolledAt, disabledAt: disabledAt))
        }
        return users
    }
}
