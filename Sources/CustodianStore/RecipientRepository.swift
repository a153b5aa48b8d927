import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A recipient as stored, without its credential; the signing secret is read only where requests are signed.
public struct RecipientRecord: Sendable, Equatable {
    public let id: UUID
    public let code: String
    public let name: String
    public let kind: RecipientKind
    /// Nil only for a manual recipient.
    public let baseURL: String?
    public let hasAPIToken: Bool
    public let country: String
    public let countryAdequate: Bool
    public let dataCategories: [DataCategory]
    public let active: Bool
    public let deliveryMode: DeliveryMode
    public let contact: String?
    public let language: TaskLanguage
    public let createdAt: Date
    public let updatedAt: Date
}

/// Stores the third parties that receive personal data. Changes are audited.
public struct RecipientRepository: Sendable {
    let database: Database

    public enum Action {
        public static let create = "recipient.create"
        public static let update = "recipient.update"
    }

    static let columns = """
        id, code, name, kind, base_url, api_token IS NOT NULL, country, country_adequate, data_categories, active, delivery_mode, contact,
        language, created_at, updated_at
        """

    public init(database: Database) {
        self.database = database
    }

    /// Stores a recipient; ``StoreError/duplicate(field:)`` when the code exists.
    public func create(_ recipient: NewRecipient, actor: AuditActor) async throws -> RecipientRecord {
        let keys = try database.requireKeys()
        let id = UUID()
        do {
            return try await database.transaction { connection in
                let rows = try await connection.query("""
                    INSERT INTO recipients (id, code, name, kind, base_url, api_token, signing_secret, country, country_adequate, data_categories,
                                            delivery_mode, contact, language)
                    VALUES (\(id), \(recipient.code), \(recipient.name), \(recipient.kind.rawValue), \(recipient.baseURL),
                            \(RecipientSecrets.seal(recipient.apiToken, "api_token", recipientID: id, keys: keys)),
                            \(RecipientSecrets.seal(recipient.signingSecret.text, "signing_secret", recipientID: id, keys: keys)), \(recipient.country), \(recipient.countryAdequate), \(recipient.dataCategories.map(\.rawValue)),
                            \(recipient.deliveryMode.rawValue), \(recipient.contact), \(recipient.language.rawValue))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let record = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
                try await AuditRepository.append(action: Action.create, subjectID: nil, actor: actor, on: connection, logger: database.logger)
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, ["recipients_code_key": "code"])
        }
    }

    public func all() async throws -> [RecipientRecord] {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM recipients ORDER BY code"))
    }

    public func find(id: UUID) async throws -> RecipientRecord? {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM recipients WHERE id = \(id)")).first
    }

    /// Applies a change; nil when there is no such recipient. A ``ValidationFailure`` when the recipient as changed
    /// would lack what its delivery mode needs.
    public func update(id: UUID, changes: RecipientChanges, actor: AuditActor) async throws -> RecipientRecord? {
        let keys = try database.requireKeys()
        return try await database.transaction { connection in
            guard let (kind, mode, hasBaseURL, hasContact) = try await connection.query("""
                SELECT kind, delivery_mode, base_url IS NOT NULL, contact IS NOT NULL FROM recipients WHERE id = \(id) FOR UPDATE
                """, logger: database.logger).decode((String, String, Bool, Bool).self).first(where: { _ in true }) else { return nil }
            guard let kind = RecipientKind(rawValue: kind), let mode = DeliveryMode(rawValue: mode) else {
                throw StoreError.unexpectedValue(column: "recipients.kind/delivery_mode")
            }
            let problems = DeliveryMode.problems(
                changes.deliveryMode ?? mode, kind: kind, hasBaseURL: hasBaseURL || changes.baseURL != nil, hasContact: hasContact || changes.contact != nil)
            if !problems.isEmpty { throw ValidationFailure(problems) }
            let rows = try await connection.query("""
                UPDATE recipients SET
                    name = COALESCE(\(changes.name), name),
                    base_url = COALESCE(\(changes.baseURL), base_url),
                    api_token = COALESCE(\(RecipientSecrets.seal(changes.apiToken, "api_token", recipientID: id, keys: keys)), api_token),
                    country = COALESCE(\(changes.country), country),
                    country_adequate = COALESCE(\(changes.countryAdequate)::boolean, country_adequate),
                    data_categories = COALESCE(\(changes.dataCategories?.map(\.rawValue)), data_categories),
                    active = COALESCE(\(changes.active)::boolean, active),
                    contact = COALESCE(\(changes.contact), contact),
                    language = COALESCE(\(changes.language?.rawValue), language),
                    delivery_mode = COALESCE(\(changes.deliveryMode?.rawValue), delivery_mode),
                    updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            guard let record = try await Self.decode(rows).first else { return nil }
            try await AuditRepository.append(action: Action.update, subjectID: nil, actor: actor, on: connection, logger: database.logger)
            return record
        }
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [RecipientRecord] {
        var records: [RecipientRecord] = []
        for try await (id, code, name, kind, baseURL, hasToken, country, adequate, categories, active, mode, contact, language, createdAt, updatedAt)
            in rows.decode((UUID, String, String, String, String?, Bool, String, Bool, [String], Bool, String, String?, String, Date, Date).self) {
            guard let kind = RecipientKind(rawValue: kind), let mode = DeliveryMode(rawValue: mode), let language = TaskLanguage(rawValue: language) else {
                throw StoreError.unexpectedValue(column: "recipients.kind/delivery_mode/language")
            }
            records.append(RecipientRecord(
                id: id, code: code, name: name, kind: kind, baseURL: baseURL, hasAPIToken: hasToken, country: country,
                countryAdequate: adequate, dataCategories: categories.compactMap(DataCategory.init(rawValue:)), active: active,
                deliveryMode: mode, contact: contact, language: language, createdAt: createdAt, updatedAt: updatedAt))
        }
        return records
    }

    /// E-mail providers that hold the subject's address when the newsletter was ever granted, deactivated ones too (a
    /// provider switched off still holds what it was given) unless `activeOnly`.
    static func newsletterProviders(
        subjectID: UUID, on connection: PostgresConnection, logger: Logger, activeOnly: Bool = false
    ) async throws -> [UUID] {
        try await connection.query("""
            SELECT r.id FROM recipients r
            WHERE r.kind = \(RecipientKind.emailProvider.rawValue) AND (r.active OR NOT \(activeOnly))
              AND EXISTS (SELECT 1 FROM consent_events e
                          WHERE e.subject_id = \(subjectID) AND e.purpose_code = \(PurposeCode.newsletter) AND e.action = 'grant')
            ORDER BY r.id
            """, logger: logger).decode(UUID.self).reduce(into: []) { $0.append($1) }
    }
}
