import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// Console users, enrolment, logins and sessions against the real database (PBKDF2 at a test cost).
@Suite("Console users and sessions")
struct ConsoleUserTests {
    static let iterations = 1000
    static let password = "a long enough passphrase"

    static func users(_ database: Database) -> ConsoleUserRepository { ConsoleUserRepository(database: database, passwordIterations: iterations) }
    static func sessions(_ database: Database) -> ConsoleSessionRepository { ConsoleSessionRepository(database: database, passwordIterations: iterations) }

    /// An enrolled user of `role`, with the TOTP a dpo enrolled.
    static func enrolled(_ database: Database, email: String, role: ConsoleRole, now: Date) async throws -> TOTP? {
        let (_, link) = try await users(database).create(email: email, role: role)
        let totp: TOTP? = role.requiresSecondFactor ? .generate() : nil
        let code = totp.map { $0.code(step: TOTP.step(at: now)) }
        _ = try await users(database).enrol(link, password: password, totp: totp, code: code, now: now)
        return totp
    }

    @Test("a user is created with a one-time link; the e-mail is unique in any case; a dpo must enrol TOTP; the link works once")
    func enrolment() async throws {
        try await TestDatabase.withMigrated { database in
            let users = Self.users(database)
            let (user, link) = try await users.create(email: " DPO@Shop.example ", role: .dpo)
            #expect(user.email == "dpo@shop.example" && user.role == .dpo && user.enrolledAt == nil)
            await #expect(throws: ConsoleEnrolmentRefusal.duplicate) { try await users.create(email: "dpo@SHOP.example", role: .viewer) }
            await #expect(throws: ConsoleEnrolmentRefusal.invalidEmail) { try await users.create(email: "not an address", role: .viewer) }
            #expect(try await users.enrolling(link)?.id == user.id)

            let now = Date()
            let totp = TOTP.generate()
            await #expect(throws: ConsoleEnrolmentRefusal.passwordUnacceptable) {
                try await users.enrol(link, password: "short", totp: totp, code: totp.code(step: TOTP.step(at: now)), now: now)
            }
            await #expect(throws: ConsoleEnrolmentRefusal.secondFactorRequired) { try await users.enrol(link, password: Self.password, totp: nil, code: nil) }
            await #expect(throws: ConsoleEnrolmentRefusal.secondFactorRequired) {
                try await users.enrol(link, password: Self.password, totp: totp, code: "000000", now: Date(timeIntervalSince1970: 0))
            }
            let enrolled = try await users.enrol(link, password: Self.password, totp: totp, code: totp.code(step: TOTP.step(at: now)), now: now)
            #expect(enrolled.enrolledAt != nil)
            #expect(try await users.enrolling(link) == nil, "a used link is gone")
            await #expect(throws: ConsoleEnrolmentRefusal.linkInvalid) {
                try await users.enrol(link, password: Self.password, totp: totp, code: totp.code(step: TOTP.step(at: now)), now: now)
            }

            let (_, late) = try await users.create(email: "late@shop.example", role: .viewer)
            try await database.query("UPDATE console_enrolments SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
            #expect(try await users.enrolling(late) == nil, "an expired link is gone")
            await #expect(throws: ConsoleEnrolmentRefusal.linkInvalid) { try await users.enrol(late, password: Self.password, totp: nil, code: nil) }

            let stored = try await database.query("SELECT password_hash, token_hash FROM console_users, console_enrolments").collect()
            let texts = try stored.map { try $0.decode((String?, ByteBuffer).self) }
            #expect(texts.allSatisfy { !($0.0 ?? "").contains(Self.password) }, "only the hash is stored")
            #expect(texts.allSatisfy { Array(buffer: $0.1) != Array(link.text.utf8) }, "only the link's hash is stored")
        }
    }

    @Test("login needs the password, and for a dpo a fresh TOTP code that works once; a refusal never says which part failed")
    func login() async throws {
        try await TestDatabase.withMigrated { database in
            let now = Date()
            let totp = try #require(try await Self.enrolled(database, email: "dpo@shop.example", role: .dpo, now: now))
            _ = try await Self.enrolled(database, email: "viewer@shop.example", role: .viewer, now: now)
            let sessions = Self.sessions(database)
            // The enrolment's own code is spent: the next step's code logs in.
            let next = totp.code(step: TOTP.step(at: now) + 1)
            #expect(try await sessions.logIn(email: "dpo@shop.example", password: Self.password, totpCode: nil, clientAddress: "a", now: now) == .refused)
            #expect(try await sessions.logIn(email: "dpo@shop.example", password: "wrong passphrase!", totpCode: next, clientAddress: "a", now: now) == .refused)
            #expect(try await sessions.logIn(email: "nobody@shop.example", password: Self.password, totpCode: next, clientAddress: "a", now: now) == .refused)
            guard case .loggedIn(let session, let token) = try await sessions.logIn(
                email: "DPO@shop.example", password: Self.password, totpCode: next, clientAddress: "a", now: now) else {
                Issue.record("the dpo logs in with password and code"); return
            }
            #expect(session.user.role == .dpo && !session.csrfToken.isEmpty)
            #expect(try await sessions.session(token, now: now)?.user.email == "dpo@shop.example")
            #expect(try await sessions.logIn(email: "dpo@shop.example", password: Self.password, totpCode: next, clientAddress: "a", now: now) == .refused,
                    "a code works once")
            guard case .loggedIn = try await sessions.logIn(
                email: "viewer@shop.example", password: Self.password, totpCode: nil, clientAddress: "a", now: now) else {
                Issue.record("a viewer logs in with the password alone"); return
            }
            let cookies = try await database.query("SELECT token_hash FROM console_sessions").collect().map { try $0.decode(ByteBuffer.self) }
            #expect(cookies.count == 2 && cookies.allSatisfy { Array(buffer: $0) == token.hash || Array(buffer: $0).count == 32 })
            #expect(!cookies.contains { Array(buffer: $0) == Array(token.text.utf8) }, "the cookie value is stored hashed")
        }
    }

    @Test("sessions end after 30 idle minutes, 12 hours after login, at logout, and all at once by an admin")
    func expiry() async throws {
        try await TestDatabase.withMigrated { database in
            let now = Date()
            _ = try await Self.enrolled(database, email: "viewer@shop.example", role: .viewer, now: now)
            let sessions = Self.sessions(database)
            func open() async throws -> ConsoleToken {
                guard case .loggedIn(_, let token) = try await sessions.logIn(
                    email: "viewer@shop.example", password: Self.password, totpCode: nil, clientAddress: "b", now: now) else {
                    throw TestDatabaseError("login failed")
                }
                return token
            }
            let idle = try await open()
            #expect(try await sessions.session(idle, now: now.addingTimeInterval(29 * 60)) != nil, "a request restarts the idle clock")
            #expect(try await sessions.session(idle, now: now.addingTimeInterval(29 * 60 + 31 * 60)) == nil, "idle for 31 minutes")
            let long = try await open()
            var clock = now
            for _ in 0..<25 {
                clock = clock.addingTimeInterval(29 * 60)
                if try await sessions.session(long, now: clock) == nil { break }
            }
            #expect(clock.timeIntervalSince(now) >= 11.5 * 3600 && clock.timeIntervalSince(now) <= 12.5 * 3600, "ends at 12 hours however active")
            let loggedOut = try await open()
            try await sessions.end(loggedOut)
            #expect(try await sessions.session(loggedOut, now: now) == nil)
            let first = try await open(), second = try await open()
            #expect(first != second, "every login is a new session")
            let user = try #require(try await Self.users(database).find(email: "viewer@shop.example"))
            #expect(try await sessions.endAll(userID: user.id) == 4, "the two live sessions and the two that expired unended")
            #expect(try await sessions.session(first, now: now) == nil)
            #expect(try await sessions.session(second, now: now) == nil)
        }
    }

    @Test("five failures lock an account and twenty an address for 15 minutes, even with the right password")
    func throttling() async throws {
        try await TestDatabase.withMigrated { database in
            let now = Date()
            _ = try await Self.enrolled(database, email: "viewer@shop.example", role: .viewer, now: now)
            _ = try await Self.enrolled(database, email: "other@shop.example", role: .viewer, now: now)
            let sessions = Self.sessions(database)
            for _ in 0..<LoginThrottle.perAccount {
                #expect(try await sessions.logIn(email: "viewer@shop.example", password: "guess guess guess", totpCode: nil, clientAddress: "c", now: now) == .refused)
            }
            #expect(try await sessions.logIn(email: "viewer@shop.example", password: Self.password, totpCode: nil, clientAddress: "d", now: now) == .throttled)
            guard case .loggedIn = try await sessions.logIn(email: "other@shop.example", password: Self.password, totpCode: nil, clientAddress: "d", now: now) else {
                Issue.record("another account is not locked"); return
            }
            for index in 0..<LoginThrottle.perAddress {
                _ = try await sessions.logIn(email: "nobody\(index)@shop.example", password: "guess guess guess", totpCode: nil, clientAddress: "e", now: now)
            }
            #expect(try await sessions.logIn(email: "other@shop.example", password: Self.password, totpCode: nil, clientAddress: "e", now: now) == .throttled)
            try await database.query("UPDATE console_login_failures SET failed_at = failed_at - interval '16 minutes'")
            guard case .loggedIn = try await sessions.logIn(email: "viewer@shop.example", password: Self.password, totpCode: nil, clientAddress: "e", now: now) else {
                Issue.record("the lock ends after 15 minutes"); return
            }
        }
    }

    @Test("concurrent wrong guesses are counted before the password is checked: no burst gets past the throttle")
    func concurrentGuesses() async throws {
        try await TestDatabase.withMigrated { database in
            _ = try await Self.enrolled(database, email: "viewer@shop.example", role: .viewer, now: Date())
            let sessions = Self.sessions(database)
            let outcomes = try await withThrowingTaskGroup(of: ConsoleLoginOutcome.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await sessions.logIn(email: "viewer@shop.example", password: "guess guess guess", totpCode: nil, clientAddress: "f")
                    }
                }
                return try await group.reduce(into: [ConsoleLoginOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .refused }.count == LoginThrottle.perAccount)
            #expect(outcomes.filter { $0 == .throttled }.count == 12 - LoginThrottle.perAccount)
        }
    }
}
