import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A data subject as stored.
public struct SubjectRecord: Sendable, Equatable {
    public let id: UUID
    public let externalRef: String
    public let fullName: String?
    public let email: String?
    public let phone: String?
    public let registrationAddress: String?
    public let locale: String
    public let hasAccount: Bool
    public let status: SubjectStatus
    public let createdAt: Date
    public let updatedAt: Date

    /// What a lookup may still tell about a blocked subject: who it is in the shop's terms and its status, without
    /// its personal data.
    public var withheld: SubjectRecord {
        SubjectRecord(
            id: id, externalRef: externalRef, fullName: nil, email: nil, phone: nil, registrationAddress: nil, locale: locale,
            hasAccount: hasAccount, status: status, createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// What a subject search matches on: every identifier given must match; none given matches every subject.
public struct SubjectLookup: Sendable, Equatable {
    /// Matched case-insensitively.
    public var email: String?
    /// Already normalised to E.164.
    public var phone: String?
    public var externalRef: String?

    public init(email: String? = nil, phone: String? = nil, externalRef: String? = nil) {
        self.email = email
        self.phone = phone
        self.externalRef = externalRef
    }
}

/// The subject was depersonalised: nothing about it can be written again.
public struct SubjectErased: Error {}

/// Stores and reads data subjects. Every write and every read appends its audit row in the same transaction.
public struct SubjectRepository: Sendable {
    let database: Database

    /// Audit actions written by this repository.
    public enum Action {
        public static let create = "subject.create"
        public static let update = "subject.update"
        public static let read = "subject.read"
    }

    static let uniqueFields = [
        "subjects_external_ref_key": "external_ref", "subjects_email_key": "email", "subjects_plain_email_key": "email",
    ]
    /// A subject row aliased `s`, its personal data sealed (see ``SubjectCipher``).
    static let columns = """
        s.id, s.external_ref, s.full_name, s.email, s.phone, s.registration_address, s.locale, s.has_account, s.status, s.created_at, s.updated_at
        """

    public init(database: Database) {
        self.database = database
    }

    /// Stores a new subject, its personal data sealed under a new data key; throws ``StoreError/duplicate(field:)``
    /// when the e-mail or external_ref is taken.
    public func create(_ subject: NewSubject, actor: AuditActor) async throws -> SubjectRecord {
        let id = UUID()
        let keys = try database.requireKeys()
        do {
            return try await database.transaction { connection in
                let cipher = try await SubjectKeys.obtain(subjectID: id, keys: keys, on: connection, logger: database.logger)
                let rows = try await connection.query("""
                    INSERT INTO subjects AS s (id, external_ref, full_name, email, phone, registration_address, locale, has_account,
                                               email_index, phone_index)
                    VALUES (\(id), \(subject.externalRef), \(cipher.seal(subject.fullName, "subjects.full_name")),
                            \(cipher.seal(subject.email, "subjects.email")), \(cipher.seal(subject.phone, "subjects.phone")),
                            \(cipher.seal(subject.registrationAddress, "subjects.registration_address")), \(subject.locale), \(subject.hasAccount),
                            \(subject.email.map { ByteBuffer(data: keys.emailIndex($0)) }), \(subject.phone.map { ByteBuffer(data: keys.phoneIndex($0)) }))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let record = try await Self.decode(rows, cipher: cipher).first else { throw StoreError.unexpectedlyEmpty }
                try await AuditRepository.append(action: Action.create, subjectID: id, actor: actor, on: connection, logger: database.logger)
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, Self.uniqueFields)
        }
    }

    /// Reads one subject and records the read; nil when there is none, ``SubjectRestricted`` when the subject is
    /// blocked for `actor`. One prepared statement (``SubjectReadStatement``, one round trip): the row and its audit row
    /// commit together, and a missing or refused subject records nothing.
    public func read(id: UUID, actor: AuditActor) async throws -> SubjectRecord? {
        let keys = try database.requireKeys()
        guard let row = try await database.execute(SubjectReadStatement(id: id, actor: actor)).first else { return nil }
        let record = try Self.record(from: row, keys: keys)
        try actor.requirePermitted(record.status)
        return record
    }

    /// The statuses of the subjects `actor` may read: what ``SubjectBlock/permits(_:subjectStatus:)`` decides, for
    /// every status.
    static func permittedStatuses(_ actor: AuditActor) -> [String] {
        SubjectStatus.allCases.filter { SubjectBlock.permits(actor.party, subjectStatus: $0) }.map(\.rawValue)
    }

    /// Applies a correction; nil when there is no such subject. Throws ``StoreError/duplicate(field:)`` on a taken
    /// e-mail or external_ref, and ``SubjectErased`` for a depersonalised subject (its data may not come back).
    public func update(id: UUID, changes: SubjectChanges, actor: AuditActor) async throws -> SubjectRecord? {
        let keys = try database.requireKeys()
        do {
            return try await database.transaction { connection in
                let status = try await Self.lockedStatus(of: id, .exclusive, on: connection, logger: database.logger)
                if status == .erased { throw SubjectErased() }
                guard let status else { return nil }
                try actor.requirePermitted(status)
                let cipher = try await SubjectKeys.obtain(subjectID: id, keys: keys, on: connection, logger: database.logger)
                let corrected = try await Self.writeProfile(
                    subjectID: id, fullName: changes.fullName, email: changes.email, phone: changes.phone,
                    registrationAddress: changes.registrationAddress, externalRef: changes.externalRef, locale: changes.locale,
                    hasAccount: changes.hasAccount, clearing: changes.cleared, cipher: cipher, keys: keys, on: connection, logger: database.logger)
                guard let record = corrected else { return nil }
                try await AuditRepository.append(action: Action.update, subjectID: id, actor: actor, on: connection, logger: database.logger)
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, Self.uniqueFields)
        }
    }

    /// Subjects matching `lookup`, ordered by id, after `afterID`; each returned subject is recorded as read, in the
    /// same statement. A subject blocked for `actor` is returned withheld (``SubjectRecord/withheld``), so the shop can
    /// tell its customer why, and is not recorded as read.
    public func find(_ lookup: SubjectLookup, afterID: UUID?, limit: Int, actor: AuditActor) async throws -> [SubjectRecord] {
        let keys = try database.requireKeys()
        let after = afterID ?? .keysetStart
        let rows: [PostgresRow]
        switch (lookup.email, lookup.phone, lookup.externalRef) {
        case let (email?, nil, nil):
            let index = ByteBuffer(data: keys.emailIndex(email))
            rows = try await database.execute(SubjectSearchByEmail(
                bindings: SubjectSearch.bindings(after: after, limit: limit, actor: actor, identifier: index, email)))
        case let (nil, phone?, nil):
            let index = ByteBuffer(data: keys.phoneIndex(phone))
            rows = try await database.execute(SubjectSearchByPhone(
                bindings: SubjectSearch.bindings(after: after, limit: limit, actor: actor, identifier: index, phone)))
        case let (nil, nil, externalRef?):
            rows = try await database.execute(SubjectSearchByExternalRef(
                bindings: SubjectSearch.bindings(after: after, limit: limit, actor: actor, identifier: externalRef)))
        default:
            rows = try await database.query(Self.searchQuery(lookup, keys: keys, after: after, limit: limit, actor: actor)).collect()
        }
        return try rows.map { try Self.record(from: $0, keys: keys) }
            .map { SubjectBlock.permits(actor.party, subjectStatus: $0.status) ? $0 : $0.withheld }
    }

    /// A search by several identifiers, or none, built for its request: the single-identifier searches are prepared
    /// (``SubjectSearch``).
    private static func searchQuery(_ lookup: SubjectLookup, keys: PersonalDataKeys, after: UUID, limit: Int, actor: AuditActor) -> PostgresQuery {
        // By blind index, or — for a row written before encryption — by the plain value.
        let emailIndex = lookup.email.map { ByteBuffer(data: keys.emailIndex($0)) }
        let phoneIndex = lookup.phone.map { ByteBuffer(data: keys.phoneIndex($0)) }
        return """
            WITH found AS (
                SELECT \(unescaped: columns), \(unescaped: SubjectKeys.columns) FROM subjects s \(unescaped: SubjectKeys.join)
                WHERE (\(lookup.email)::text IS NULL OR s.email_index = \(emailIndex)
                       OR (s.email_index IS NULL AND lower(s.email) = lower(\(lookup.email))))
                  AND (\(lookup.phone)::text IS NULL OR s.phone_index = \(phoneIndex) OR (s.phone_index IS NULL AND s.phone = \(lookup.phone)))
                  AND (\(lookup.externalRef)::text IS NULL OR s.external_ref = \(lookup.externalRef))
                  AND s.id > \(after)
                ORDER BY s.id LIMIT \(limit)
            ), audited AS (
                INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
                SELECT \(actor.apiKeyID), \(actor.userID), \(Action.read), id, \(actor.requestID) FROM found
                WHERE status = ANY(\(permittedStatuses(actor)))
            )
            SELECT * FROM found ORDER BY id
            """
    }

    /// Whether the subject exists, read on `connection` (inside the caller's transaction).
    /// The subject's status alone (no personal data, so no audit row); nil when there is no such subject.
    public func status(of id: UUID) async throws -> SubjectStatus? {
        try await database.query("SELECT status FROM subjects WHERE id = \(id)").decode(String.self).first(where: { _ in true })
            .flatMap(SubjectStatus.init(rawValue:))
    }

    static func exists(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.query("SELECT 1 FROM subjects WHERE id = \(id)", logger: logger)
            .decode(Int.self).first(where: { _ in true }) != nil
    }

    /// How a write that depends on a subject's status locks the subject row until its transaction ends.
    enum StatusLock: String {
        /// Serialises with every other write of the subject (consent events) and with status changes, but not with a
        /// disclosure in flight (which holds `FOR KEY SHARE`), so a slow courier never delays a consent.
        case exclusive = "FOR NO KEY UPDATE"
        /// Blocks only status changes (new orders may run side by side).
        case shared = "FOR SHARE"
    }

    /// The subject's status, locked on `connection` so a restriction or erasure cannot commit between a check and the
    /// write that depends on it; nil when there is no such subject.
    static func lockedStatus(of id: UUID, _ lock: StatusLock, on connection: PostgresConnection, logger: Logger) async throws -> SubjectStatus? {
        try await connection.query("SELECT status FROM subjects WHERE id = \(id) \(unescaped: lock.rawValue)", logger: logger)
            .decode(String.self).first(where: { _ in true }).flatMap(SubjectStatus.init(rawValue:))
    }

    /// A subject row read with its key (``columns`` then ``SubjectKeys/columns``), opened.
    private static func record(from row: PostgresRow, keys: PersonalDataKeys) throws -> SubjectRecord {
        let (id, externalRef, fullName, email, phone, address, locale, hasAccount, status, createdAt, updatedAt, kekID, wrapped)
            = try row.decode((UUID, String, String?, String?, String?, String?, String, Bool, String, Date, Date, String?, ByteBuffer?).self)
        let cipher = try SubjectKeys.cipher(subjectID: id, kekID: kekID, wrapped: wrapped, keys: keys)
        return try record(
            id: id, externalRef: externalRef, fullName: fullName, email: email, phone: phone, address: address, locale: locale,
            hasAccount: hasAccount, status: status, createdAt: createdAt, updatedAt: updatedAt, cipher: cipher)
    }

    /// Subject rows (``columns``) of the subject whose cipher is known, opened.
    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>, cipher: SubjectCipher) async throws -> [SubjectRecord] {
        var records: [SubjectRecord] = []
        for try await (id, externalRef, fullName, email, phone, address, locale, hasAccount, status, createdAt, updatedAt)
            in rows.decode((UUID, String, String?, String?, String?, String?, String, Bool, String, Date, Date).self) {
            records.append(try record(
                id: id, externalRef: externalRef, fullName: fullName, email: email, phone: phone, address: address, locale: locale,
                hasAccount: hasAccount, status: status, createdAt: createdAt, updatedAt: updatedAt, cipher: cipher))
        }
        return records
    }

    private static func record(
        id: UUID, externalRef: String, fullName: String?, email: String?, phone: String?, address: String?, locale: String,
        hasAccount: Bool, status: String, createdAt: Date, updatedAt: Date, cipher: SubjectCipher
    ) throws -> SubjectRecord {
        guard let status = SubjectStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "subjects.status") }
        return SubjectRecord(
            id: id, externalRef: externalRef, fullName: try cipher.open(fullName, "subjects.full_name"),
            email: try cipher.open(email, "subjects.email"), phone: try cipher.open(phone, "subjects.phone"),
            registrationAddress: try cipher.open(address, "subjects.registration_address"), locale: locale, hasAccount: hasAccount,
            status: status, createdAt: createdAt, updatedAt: updatedAt)
    }
}
