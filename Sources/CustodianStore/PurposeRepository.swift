import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A purpose of processing as stored.
public struct PurposeRecord: Sendable, Equatable {
    public let code: String
    public let title: String
    public let description: String
    public let legalBasis: LegalBasis
    public let requiresConsent: Bool
    public let retentionDays: Int
    public let recipientKinds: [RecipientKind]
    public let dataCategories: [DataCategory]
    public let retiredAt: Date?
    public let createdAt: Date
    public let updatedAt: Date
}

/// The catalogue of purposes. A purpose with consent events cannot be deleted, only retired.
public struct PurposeRepository: Sendable {
    let database: Database

    static let columns = """
        code, title, description, legal_basis, requires_consent, retention_days, recipient_kinds, data_categories,
        retired_at, created_at, updated_at
        """

    /// Audit actions of catalogue changes (recorded without a subject).
    public enum Action {
        public static let create = "purpose.create"
        public static let update = "purpose.update"
        public static let delete = "purpose.delete"
    }

    public init(database: Database) {
        self.database = database
    }

    public func all() async throws -> [PurposeRecord] {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM purposes ORDER BY code"))
    }

    public func find(code: String) async throws -> PurposeRecord? {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM purposes WHERE code = \(code)")).first
    }

    /// Adds a purpose; ``StoreError/duplicate(field:)`` when the code exists.
    public func create(_ purpose: NewPurpose, actor: AuditActor) async throws -> PurposeRecord {
        do {
            return try await database.transaction { connection in
                let rows = try await connection.query("""
                    INSERT INTO purposes (code, title, description, legal_basis, requires_consent, retention_days, recipient_kinds, data_categories)
                    VALUES (\(purpose.code), \(purpose.title), \(purpose.description), \(purpose.legalBasis.rawValue),
                            \(purpose.requiresConsent), \(purpose.retentionDays), \(purpose.recipientKinds.map(\.rawValue)),
                            \(purpose.dataCategories.map(\.rawValue)))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let record = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
                try await AuditRepository.append(action: Action.create, subjectID: nil, actor: actor, on: connection, logger: database.logger)
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, ["purposes_pkey": "code"])
        }
    }

    /// Applies a change; nil when there is no such purpose.
    public func update(code: String, changes: PurposeChanges, actor: AuditActor) async throws -> PurposeRecord? {
        let retire = changes.retired
        return try await database.transaction { connection in
            let rows = try await connection.query("""
                UPDATE purposes SET
                    title = COALESCE(\(changes.title), title),
                    description = COALESCE(\(changes.description), description),
                    retention_days = COALESCE(\(changes.retentionDays), retention_days),
                    recipient_kinds = COALESCE(\(changes.recipientKinds?.map(\.rawValue)), recipient_kinds),
                    data_categories = COALESCE(\(changes.dataCategories?.map(\.rawValue)), data_categories),
                    retired_at = CASE WHEN \(retire)::boolean IS NULL THEN retired_at
                                      WHEN \(retire)::boolean THEN COALESCE(retired_at, now())
                                      ELSE NULL END,
                    updated_at = now()
                WHERE code = \(code)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            guard let record = try await Self.decode(rows).first else { return nil }
            try await AuditRepository.append(action: Action.update, subjectID: nil, actor: actor, on: connection, logger: database.logger)
            return record
        }
    }

    /// Outcome of a deletion.
    public enum Deletion: Sendable, Equatable {
        case deleted
        case notFound
        /// Consent events refer to it: retire it instead.
        case inUse
    }

    public func delete(code: String, actor: AuditActor) async throws -> Deletion {
        do {
            return try await database.transaction { connection in
                let rows = try await connection.query("DELETE FROM purposes WHERE code = \(code) RETURNING code", logger: database.logger)
                guard try await rows.decode(String.self).first(where: { _ in true }) != nil else { return .notFound }
                try await AuditRepository.append(action: Action.delete, subjectID: nil, actor: actor, on: connection, logger: database.logger)
                return .deleted
            }
        } catch let failure as DatabaseFailure where failure.isForeignKeyViolation {
            return .inUse
        }
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [PurposeRecord] {
        var records: [PurposeRecord] = []
        for try await (code, title, description, basis, requiresConsent, retention, kinds, categories, retiredAt, createdAt, updatedAt)
            in rows.decode((String, String, String, String, Bool, Int, [String], [String], Date?, Date, Date).self) {
            guard let legalBasis = LegalBasis(rawValue: basis) else { throw StoreError.unexpectedValue(column: "purposes.legal_basis") }
            records.append(PurposeRecord(
                code: code, title: title, description: description, legalBasis: legalBasis, requiresConsent: requiresConsent,
                retentionDays: retention, recipientKinds: kinds.compactMap(RecipientKind.init(rawValue:)),
                dataCategories: categories.compactMap(DataCategory.init(rawValue:)),
                retiredAt: retiredAt, createdAt: createdAt, updatedAt: updatedAt))
        }
        return records
    }
}
