import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// Seals the personal data written before encryption (`custodian encrypt-existing`), subject by subject: the profile
/// and its blind indexes, the orders' delivery blocks, pending corrections and claim texts, and the identities of
/// notices still to be sent, each under the subject's key (made when it has none). A batch of subjects commits in one
/// transaction holding their rows; what is sealed is not sealed again, so a run that stops can simply be started
/// again. A subject whose e-mail another subject already holds (possible only for rows written while the upgrade ran)
/// is skipped and reported by id.
public struct ExistingDataSealing: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// What one batch did.
    public struct BatchResult: Sendable, Equatable {
        public var sealed: [UUID] = []
        public var conflicting: [UUID] = []
        /// The last subject (in id order) the batch took: where the next batch goes on.
        public var last: UUID?
    }

    /// The SQL condition under which subject `s` still has plain personal data somewhere.
    static let hasPlainData = """
        ((s.full_name IS NOT NULL AND left(s.full_name, 1) <> chr(1)) OR (s.email IS NOT NULL AND left(s.email, 1) <> chr(1))
         OR (s.phone IS NOT NULL AND left(s.phone, 1) <> chr(1))
         OR (s.registration_address IS NOT NULL AND left(s.registration_address, 1) <> chr(1))
         OR EXISTS (SELECT 1 FROM orders o WHERE o.subject_id = s.id AND (
                (o.delivery_recipient_name IS NOT NULL AND left(o.delivery_recipient_name, 1) <> chr(1))
             OR (o.delivery_phone IS NOT NULL AND left(o.delivery_phone, 1) <> chr(1))
             OR (o.delivery_city IS NOT NULL AND left(o.delivery_city, 1) <> chr(1))
             OR (o.delivery_postal_code IS NOT NULL AND left(o.delivery_postal_code, 1) <> chr(1))
             OR (cardinality(o.delivery_address_lines) > 0 AND left(o.delivery_address_lines[1], 1) <> chr(1))))
         OR EXISTS (SELECT 1 FROM subject_requests q WHERE q.subject_id = s.id
                    AND (jsonb_typeof(q.corrections) = 'object' OR (q.claim_text IS NOT NULL AND left(q.claim_text, 1) <> chr(1))))
         OR EXISTS (SELECT 1 FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id
                    WHERE q.subject_id = s.id AND jsonb_typeof(n.identities) = 'array')
         OR EXISTS (SELECT 1 FROM restriction_notices n WHERE n.subject_id = s.id AND jsonb_typeof(n.identities) = 'array'))
        """

    /// Seals the recipients' API tokens and signing secrets written before encryption; returns how many recipients
    /// changed.
    public func sealRecipientSecrets() async throws -> Int {
        try await RecipientSecrets.resealAll(keys: try database.requireKeys(), database: database)
    }

    /// How many subjects still have plain personal data.
    public func remaining() async throws -> Int {
        try await database.query("SELECT count(*) FROM subjects s WHERE \(unescaped: Self.hasPlainData)").collect().first?.decode(Int.self) ?? 0
    }

    /// Seals up to `limit` subjects' plain data in one transaction, taking subjects in id order after `after` (a walk
    /// through the table that never reads the sealed part again); an empty result means nothing is left after it. When
    /// a subject's e-mail index collides, the batch is redone one subject per transaction and that subject skipped.
    public func sealBatch(limit: Int = 200, after: UUID? = nil, skipping skipped: Set<UUID> = []) async throws -> BatchResult {
        let keys = try database.requireKeys()
        do {
            return try await database.transaction { connection in
                let ids = try await Self.next(limit: limit, after: after, skipping: skipped, on: connection, logger: database.logger)
                try await Self.seal(subjects: ids, keys: keys, on: connection, logger: database.logger)
                return BatchResult(sealed: ids, last: ids.last)
            }
        } catch let failure as DatabaseFailure where failure.isUniqueViolation {
            let ids = try await database.withConnection { connection in
                try await Self.next(limit: limit, after: after, skipping: skipped, on: connection, logger: database.logger)
            }
            var result = BatchResult(last: ids.last)
            for id in ids {
                do {
                    try await database.transaction { connection in
                        try await connection.query("SELECT 1 FROM subjects WHERE id = \(id) FOR UPDATE", logger: database.logger)
                        try await Self.seal(subjects: [id], keys: keys, on: connection, logger: database.logger)
                    }
                    result.sealed.append(id)
                } catch let failure as DatabaseFailure where failure.isUniqueViolation {
                    result.conflicting.append(id)
                }
            }
            return result
        }
    }

    /// The next subjects after `after` with plain data, in id order, locked (skipping rows another transaction holds).
    private static func next(
        limit: Int, after: UUID?, skipping skipped: Set<UUID>, on connection: PostgresConnection, logger: Logger
    ) async throws -> [UUID] {
        try await connection.query("""
            SELECT s.id FROM subjects s
            WHERE s.id > \(after ?? .keysetStart)
              AND \(unescaped: hasPlainData) AND NOT s.id = ANY(\(Array(skipped)))
            ORDER BY s.id LIMIT \(limit) FOR UPDATE OF s SKIP LOCKED
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
    }

    /// Seals everything plain of subjects `ids`, whose rows the caller's transaction holds: their keys made in one
    /// statement, their profiles with blind indexes in another, their orders' delivery blocks in a third; then the
    /// requests and notices of the few that have plain ones, subject by subject.
    static func seal(subjects ids: [UUID], keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        var ciphers: [UUID: SubjectCipher] = [:]
        var made: (ids: [UUID], kekIDs: [String], wrapped: [ByteBuffer]) = ([], [], [])
        // Arrays cannot carry NULL here: an empty value stands for it (no sealed value or index is empty).
        var profiles: (ids: [UUID], names: [String], emails: [String], phones: [String], addresses: [String]) = ([], [], [], [], [])
        var indexes: (emails: [ByteBuffer], phones: [ByteBuffer]) = ([], [])
        for try await (id, name, email, phone, address, kekID, wrapped) in try await connection.query("""
            SELECT s.id, s.full_name, s.email, s.phone, s.registration_address, \(unescaped: SubjectKeys.columns)
            FROM subjects s \(unescaped: SubjectKeys.join) WHERE s.id = ANY(\(ids))
            """, logger: logger).decode((UUID, String?, String?, String?, String?, String?, ByteBuffer?).self) {
            var cipher = try SubjectKeys.cipher(subjectID: id, kekID: kekID, wrapped: wrapped, keys: keys)
            if cipher.key == nil {
                let key = DataKey()
                let wrapped = keys.wrap(key, owner: SubjectKeys.owner(id))
                made.ids.append(id)
                made.kekIDs.append(wrapped.kekID)
                made.wrapped.append(ByteBuffer(data: wrapped.bytes))
                cipher = SubjectCipher(subjectID: id, key: key)
            }
            ciphers[id] = cipher
            profiles.ids.append(id)
            profiles.names.append(sealed(name, "subjects.full_name", cipher) ?? "")
            profiles.emails.append(sealed(email, "subjects.email", cipher) ?? "")
            profiles.phones.append(sealed(phone, "subjects.phone", cipher) ?? "")
            profiles.addresses.append(sealed(address, "subjects.registration_address", cipher) ?? "")
            indexes.emails.append(email.flatMap { DataKey.isSealed($0) ? nil : ByteBuffer(data: keys.emailIndex($0)) } ?? ByteBuffer())
            indexes.phones.append(phone.flatMap { DataKey.isSealed($0) ? nil : ByteBuffer(data: keys.phoneIndex($0)) } ?? ByteBuffer())
        }
        try await connection.query("""
            INSERT INTO custodian_keys.subject_keys (subject_id, kek_id, wrapped)
            SELECT * FROM unnest(\(made.ids)::uuid[], \(made.kekIDs)::text[], \(made.wrapped)::bytea[])
            """, logger: logger)
        try await connection.query("""
            UPDATE subjects s SET full_name = NULLIF(u.full_name, ''), email = NULLIF(u.email, ''), phone = NULLIF(u.phone, ''),
                registration_address = NULLIF(u.address, ''),
                email_index = COALESCE(NULLIF(u.email_index, ''::bytea), s.email_index),
                phone_index = COALESCE(NULLIF(u.phone_index, ''::bytea), s.phone_index)
            FROM unnest(\(profiles.ids)::uuid[], \(profiles.names)::text[], \(profiles.emails)::text[], \(profiles.phones)::text[],
                        \(profiles.addresses)::text[], \(indexes.emails)::bytea[], \(indexes.phones)::bytea[])
                 AS u(id, full_name, email, phone, address, email_index, phone_index)
            WHERE s.id = u.id
            """, logger: logger)
        try await sealOrders(of: ids, ciphers: ciphers, on: connection, logger: logger)
        let others = try await connection.query("""
            SELECT s.id FROM subjects s WHERE s.id = ANY(\(ids)) AND \(unescaped: hasPlainData)
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
        for id in others {
            guard let cipher = ciphers[id] else { continue }
            try await sealOtherRows(of: id, cipher: cipher, on: connection, logger: logger)
        }
    }

    /// Seals the plain delivery blocks of the orders of subjects `ids` in one statement (address lines travel joined
    /// by a record separator, which no sealed value contains).
    static func sealOrders(of ids: [UUID], ciphers: [UUID: SubjectCipher], on connection: PostgresConnection, logger: Logger) async throws {
        var orders: (ids: [UUID], names: [String], phones: [String], lines: [String], cities: [String], postalCodes: [String]) = ([], [], [], [], [], [])
        for try await (orderID, subjectID, name, phone, lines, city, postalCode) in try await connection.query("""
            SELECT id, subject_id, delivery_recipient_name, delivery_phone, delivery_address_lines, delivery_city, delivery_postal_code
            FROM orders WHERE subject_id = ANY(\(ids))
              AND ((delivery_recipient_name IS NOT NULL AND left(delivery_recipient_name, 1) <> chr(1))
                   OR (delivery_phone IS NOT NULL AND left(delivery_phone, 1) <> chr(1))
                   OR (delivery_city IS NOT NULL AND left(delivery_city, 1) <> chr(1))
                   OR (delivery_postal_code IS NOT NULL AND left(delivery_postal_code, 1) <> chr(1))
                   OR (cardinality(delivery_address_lines) > 0 AND left(delivery_address_lines[1], 1) <> chr(1)))
            """, logger: logger).decode((UUID, UUID, String?, String?, [String]?, String?, String?).self) {
            guard let cipher = ciphers[subjectID] else { continue }
            orders.ids.append(orderID)
            orders.names.append(sealed(name, "orders.delivery_recipient_name", cipher, row: orderID) ?? "")
            orders.phones.append(sealed(phone, "orders.delivery_phone", cipher, row: orderID) ?? "")
            orders.lines.append((lines ?? []).map { sealed($0, "orders.delivery_address_lines", cipher, row: orderID) ?? $0 }
                .joined(separator: "\u{1E}"))
            orders.cities.append(sealed(city, "orders.delivery_city", cipher, row: orderID) ?? "")
            orders.postalCodes.append(sealed(postalCode, "orders.delivery_postal_code", cipher, row: orderID) ?? "")
        }
        guard !orders.ids.isEmpty else { return }
        try await connection.query("""
            UPDATE orders o SET delivery_recipient_name = NULLIF(u.name, ''), delivery_phone = NULLIF(u.phone, ''),
                delivery_address_lines = string_to_array(NULLIF(u.lines, ''), chr(30)), delivery_city = NULLIF(u.city, ''),
                delivery_postal_code = NULLIF(u.postal_code, '')
            FROM unnest(\(orders.ids)::uuid[], \(orders.names)::text[], \(orders.phones)::text[], \(orders.lines)::text[],
                        \(orders.cities)::text[], \(orders.postalCodes)::text[]) AS u(id, name, phone, lines, city, postal_code)
            WHERE o.id = u.id
            """, logger: logger)
    }

    /// Seals the plain orders, requests and notice identities of one subject, whose row the caller's transaction holds.
    static func sealOtherRows(of subjectID: UUID, cipher: SubjectCipher, on connection: PostgresConnection, logger: Logger) async throws {
        guard let key = cipher.key else { throw StoreError.noPersonalDataKeys }
        for (orderID, recipientName, deliveryPhone, lines, city, postalCode) in try await connection.query("""
            SELECT id, delivery_recipient_name, delivery_phone, delivery_address_lines, delivery_city, delivery_postal_code
            FROM orders WHERE subject_id = \(subjectID)
            """, logger: logger).decode((UUID, String?, String?, [String]?, String?, String?).self).collect() {
            try await connection.query("""
                UPDATE orders SET delivery_recipient_name = \(Self.sealed(recipientName, "orders.delivery_recipient_name", cipher, row: orderID)),
                    delivery_phone = \(Self.sealed(deliveryPhone, "orders.delivery_phone", cipher, row: orderID)),
                    delivery_address_lines = \(lines.map { $0.map { Self.sealed($0, "orders.delivery_address_lines", cipher, row: orderID) ?? $0 } }),
                    delivery_city = \(Self.sealed(city, "orders.delivery_city", cipher, row: orderID)),
                    delivery_postal_code = \(Self.sealed(postalCode, "orders.delivery_postal_code", cipher, row: orderID))
                WHERE id = \(orderID)
                """, logger: logger)
        }
        for (requestID, corrections, claimText) in try await connection.query("""
            SELECT id, corrections::text, claim_text FROM subject_requests
            WHERE subject_id = \(subjectID) AND (jsonb_typeof(corrections) = 'object' OR (claim_text IS NOT NULL AND left(claim_text, 1) <> chr(1)))
            """, logger: logger).decode((UUID, String?, String?).self).collect() {
            let sealedCorrections = try corrections.flatMap { try SealedJSON.open($0, as: SubjectCorrections.self, key: key, context: "") }
                .map { try SealedJSON.seal($0, key: key, context: SubjectRequestRepository.correctionsContext(requestID)) }
            try await connection.query("""
                UPDATE subject_requests SET corrections = COALESCE(\(sealedCorrections)::jsonb, corrections),
                    claim_text = \(Self.sealed(claimText, "subject_requests.claim_text", cipher, row: requestID))
                WHERE id = \(requestID)
                """, logger: logger)
        }
        // Notices still to be sent, and the DPO tasks that copied their identities.
        let notices: [(table: String, taskColumn: String, query: PostgresQuery)] = [
            ("rectification_notices", "rectification_notice_id", """
                SELECT n.id, n.identities::text FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id
                WHERE q.subject_id = \(subjectID) AND jsonb_typeof(n.identities) = 'array'
                """),
            ("restriction_notices", "restriction_notice_id", """
                SELECT id, identities::text FROM restriction_notices WHERE subject_id = \(subjectID) AND jsonb_typeof(identities) = 'array'
                """),
        ]
        for notice in notices {
            for (noticeID, identities) in try await connection.query(notice.query, logger: logger).decode((UUID, String).self).collect() {
                guard let plain = try SealedIdentities.open(identities, key: key, context: "") else { continue }
                let sealed = try SealedIdentities.seal(plain, key: key, context: SealedIdentities.context(notice.table, noticeID))
                try await connection.query(
                    "UPDATE \(unescaped: notice.table) SET identities = \(sealed)::jsonb WHERE id = \(noticeID)", logger: logger)
                try await connection.query("""
                    UPDATE manual_tasks SET identities = \(sealed)::jsonb WHERE \(unescaped: notice.taskColumn) = \(noticeID) AND identities IS NOT NULL
                    """, logger: logger)
            }
        }
    }

    /// `value` sealed unless it already is.
    private static func sealed(_ value: String?, _ column: String, _ cipher: SubjectCipher, row: UUID? = nil) -> String? {
        guard let value, !DataKey.isSealed(value) else { return value }
        return cipher.seal(value, column, row: row)
    }
}

private extension AsyncSequence {
    /// The elements, gathered before the caller runs more statements on the same connection.
    func collect() async throws -> [Element] {
        try await reduce(into: []) { $0.append($1) }
    }
}
