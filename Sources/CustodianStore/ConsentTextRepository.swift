import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// A registered consent text: the document a customer is shown when asked for consent, apart from the policy.
public struct ConsentTextRecord: Sendable, Equatable {
    public let id: UUID
    public let label: String
    public let url: String
    public let textSHA256: String
    public let effectiveAt: Date
    /// The consent-based purposes it asks consent for.
    public let purposes: [String]
    public let createdAt: Date
}

/// Registers and lists consent texts; labels are unique and a registered text never changes.
public struct ConsentTextRepository: Sendable {
    let database: Database

    static let columns = "id, label, url, text_sha256, effective_at, purposes, created_at"

    /// The audit action of registering a text (recorded without a subject).
    public static let createAction = "consent_text.create"

    public init(database: Database) {
        self.database = database
    }

    /// Registers `text`. Its purposes must be consent-based purposes of the catalogue (``ValidationFailure`` on
    /// `purposes` otherwise); ``StoreError/duplicate(field:)`` when the label exists.
    public func create(_ text: NewConsentText, actor: AuditActor) async throws -> ConsentTextRecord {
        do {
            return try await database.transaction { connection in
                let logger = database.logger
                let known = try await connection.query(
                    "SELECT code FROM purposes WHERE code = ANY(\(text.purposes)) AND requires_consent", logger: logger
                ).decode(String.self).reduce(into: Set<String>()) { $0.insert($1) }
                let unknown = text.purposes.filter { !known.contains($0) }
                if !unknown.isEmpty {
                    throw ValidationFailure([FieldError(field: "purposes", message: "names \(unknown.count) purpose(s) that are unknown or not consent-based")])
                }
                let document = text.document
                let rows = try await connection.query("""
                    INSERT INTO consent_texts (id, label, url, text_sha256, effective_at, purposes)
                    VALUES (\(UUID()), \(document.label), \(document.url), \(document.textSHA256), \(document.effectiveAt), \(text.purposes))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                guard let record = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
                try await AuditRepository.append(action: Self.createAction, subjectID: nil, actor: actor, on: connection, logger: logger)
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, ["consent_texts_label_key": "label"])
        }
    }

    /// Every text, newest `effective_at` first.
    /// The text with `id`; nil when there is none.
    public func find(id: UUID) async throws -> ConsentTextRecord? {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM consent_texts WHERE id = \(id)")).first
    }

    public func all() async throws -> [ConsentTextRecord] {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM consent_texts ORDER BY effective_at DESC, label"))
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [ConsentTextRecord] {
        var records: [ConsentTextRecord] = []
        for try await (id, label, url, hash, effectiveAt, purposes, createdAt) in rows.decode((UUID, String, String, String, Date, [String], Date).self) {
            records.append(ConsentTextRecord(
                id: id, label: label, url: url, textSHA256: hash, effectiveAt: effectiveAt, purposes: purposes, createdAt: createdAt))
        }
        return records
    }
}
