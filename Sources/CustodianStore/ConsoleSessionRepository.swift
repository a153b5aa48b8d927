import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// A live console session as a request sees it.
public struct ConsoleSession: Sendable, Equatable {
    public let user: ConsoleUser
    /// The token the session's state-changing forms carry.
    public let csrfToken: String
    public let createdAt: Date
}

/// How a login ended. A refusal never says which part was wrong, nor whether the account exists.
public enum ConsoleLoginOutcome: Sendable, Equatable {
    /// A new session: set `token` as the cookie.
    case loggedIn(ConsoleSession, token: ConsoleToken)
    case refused
    /// Too many failures for this account or address (``LoginThrottle``): try again later.
    case throttled
}

/// Console logins and sessions, stored server-side with the cookie value hashed; idle and absolute expiry by
/// ``ConsoleSessionPolicy``, a new session at every login, failures throttled by ``LoginThrottle``.
public struct ConsoleSessionRepository: Sendable {
    let database: Database
    /// The cost of the hash an unknown account is checked against: that of real hashes.
    let passwordIterations: Int

    public init(database: Database, passwordIterations: Int = PasswordHash.defaultIterations) {
        self.database = database
        self.passwordIterations = passwordIterations
    }

    /// Checks e-mail, password and (for the roles that need one) the TOTP code, and opens a session. `clientAddress`
    /// counts failures per address; a code works once. Every attempt is counted as a failure before the password is
    /// checked (under advisory locks on the account and the address), and forgiven only when it succeeds, so that
    /// concurrent guesses cannot slip past the throttle together.
    public func logIn(email: String, password: String, totpCode: String?, clientAddress: String, now: Date = Date()) async throws -> ConsoleLoginOutcome {
        let account = email.trimmingWhitespace().lowercased()
        let admitted = try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("""
                SELECT pg_advisory_xact_lock(hashtext('console-login-account:' || \(account))),
                       pg_advisory_xact_lock(hashtext('console-login-address:' || \(clientAddress)))
                """, logger: logger)
            let failures = try await connection.query("""
                SELECT (SELECT count(*) FROM console_login_failures WHERE account = \(account)
                            AND failed_at > now() - make_interval(secs => \(LoginThrottle.window))),
                       (SELECT count(*) FROM console_login_failures WHERE client_address = \(clientAddress)
                            AND failed_at > now() - make_interval(secs => \(LoginThrottle.window)))
                """, logger: logger).decode((Int, Int).self).first(where: { _ in true }) ?? (0, 0)
            guard !LoginThrottle.isThrottled(accountFailures: failures.0, addressFailures: failures.1) else { return false }
            try await connection.query("""
                WITH pruned AS (
                    DELETE FROM console_login_failures WHERE failed_at < now() - make_interval(secs => \(LoginThrottle.window))
                )
                INSERT INTO console_login_failures (account, client_address) VALUES (\(account), \(clientAddress))
                """, logger: logger)
            return true
        }
        guard admitted else { return .throttled }
        let stored = try await database.query("""
            SELECT id, email, role, enrolled_at, disabled_at, password_hash, totp_secret, totp_last_step FROM console_users
            WHERE email = \(account) AND enrolled_at IS NOT NULL AND disabled_at IS NULL
            """).decode((UUID, String, String, Date?, Date?, String?, ByteBuffer?, Int64?).self).first(where: { _ in true })
        // The hash is checked even for an unknown account, so that timing does not tell which accounts exist.
        let hash = stored.flatMap { $0.5 }.flatMap(PasswordHash.init(encoded:)) ?? PasswordHash.decoy(iterations: passwordIterations)
        // Hundreds of milliseconds of PBKDF2: on NIO's blocking pool, not on the few threads every request shares.
        let passwordMatches = try await NIOThreadPool.singleton.runIfActive { hash.verifies(password) } && stored != nil
        guard passwordMatches, let stored, let role = ConsoleRole(rawValue: stored.2) else { return .refused }
        let step: Int64?
        if role.requiresSecondFactor {
            guard let secret = stored.6, let code = totpCode,
                  let matched = TOTP(secret: Array(buffer: secret)).matchingStep(of: code, at: now), matched > (stored.7 ?? Int64.min)
            else { return .refused }
            step = matched
        } else {
            step = nil
        }
        let user = ConsoleUser(id: stored.0, email: stored.1, role: role, enrolledAt: stored.3, disabledAt: stored.4)
        let token = ConsoleToken.generate()
        let csrf = ConsoleToken.generate().text
        let opened = try await database.transaction { connection in
            let logger = database.logger
            if let step {
                // The step moves forward only once: two logins racing with one code cannot both pass.
                let accepted = try await connection.query("""
                    UPDATE console_users SET totp_last_step = \(step)
                    WHERE id = \(user.id) AND (totp_last_step IS NULL OR totp_last_step < \(step)) RETURNING 1
                    """, logger: logger).decode(Int.self).first(where: { _ in true })
                guard accepted != nil else { return false }
            }
            try await connection.query("""
                INSERT INTO console_sessions (token_hash, user_id, csrf_token) VALUES (\(ByteBuffer(bytes: token.hash)), \(user.id), \(csrf))
                """, logger: logger)
            try await connection.query("DELETE FROM console_login_failures WHERE account = \(account)", logger: logger)
            return true
        }
        guard opened else { return .refused }
        return .loggedIn(ConsoleSession(user: user, csrfToken: csrf, createdAt: now), token: token)
    }

    /// The live session `token` opens, its idle clock restarted; nil when it is unknown, ended or expired.
    public func session(_ token: ConsoleToken, now: Date = Date()) async throws -> ConsoleSession? {
        guard let (id, email, role, enrolledAt, disabledAt, csrf, createdAt, lastSeenAt) = try await database.query("""
            SELECT u.id, u.email, u.role, u.enrolled_at, u.disabled_at, s.csrf_token, s.created_at, s.last_seen_at
            FROM console_sessions s JOIN console_users u ON u.id = s.user_id
            WHERE s.token_hash = \(ByteBuffer(bytes: token.hash)) AND s.ended_at IS NULL AND u.disabled_at IS NULL
            """).decode((UUID, String, String, Date?, Date?, String, Date, Date).self).first(where: { _ in true }),
            let role = ConsoleRole(rawValue: role),
            ConsoleSessionPolicy.isAlive(createdAt: createdAt, lastSeenAt: lastSeenAt, now: now)
        else { return nil }
        try await database.query("UPDATE console_sessions SET last_seen_at = \(now) WHERE token_hash = \(ByteBuffer(bytes: token.hash))")
        return ConsoleSession(
            user: ConsoleUser(id: id, email: email, role: role, enrolledAt: enrolledAt, disabledAt: disabledAt), csrfToken: csrf, createdAt: createdAt)
    }

    /// Logs a session out.
    public func end(_ token: ConsoleToken) async throws {
        try await database.query("UPDATE console_sessions SET ended_at = now() WHERE token_hash = \(ByteBuffer(bytes: token.hash)) AND ended_at IS NULL")
    }

    /// Ends every session of the user not ended yet (expired ones included); returns how many.
    @discardableResult
    public func endAll(userID: UUID) async throws -> Int {
        try await database.query("""
            UPDATE console_sessions SET ended_at = now() WHERE user_id = \(userID) AND ended_at IS NULL RETURNING 1
            """).decode(Int.self).reduce(0) { count, _ in count + 1 }
    }
}
