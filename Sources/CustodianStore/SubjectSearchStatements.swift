import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// The shop's subject lookups by one identifier (e-mail, phone or external ref) as prepared statements, so that
/// PostgreSQL plans each once per connection rather than on every request: with the key join and the blind-index
/// conditions, planning cost more than executing (bench/README). The rows are ``SubjectRepository/columns`` then
/// ``SubjectKeys/columns``; each found subject the actor may read gets its audit row in the same statement. A search by
/// several identifiers, or none, is built per request (``SubjectRepository/find(_:afterID:limit:actor:)``).
enum SubjectSearch {
    /// The statement for subjects matching `condition` (over $7 on), ordered by id: $1 the last id of the previous
    /// page, $2 the page size, $3–$6 the reader (``PostgresBindings/appendReader(_:)``).
    static func sql(matching condition: String) -> String {
        """
        WITH found AS (
            SELECT \(SubjectRepository.columns), \(SubjectKeys.columns) FROM subjects s \(SubjectKeys.join)
            WHERE \(condition) AND s.id > $1::uuid
            ORDER BY s.id LIMIT $2::bigint
        ), audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
            SELECT $3::uuid, $4::uuid, '\(SubjectRepository.Action.read)', id, $5::text FROM found
            WHERE status = ANY($6::text[])
        )
        SELECT * FROM found ORDER BY id
        """
    }

    /// The bindings of a search for `identifier` (its blind index, then the plain value a row written before
    /// encryption is found by; or the external ref alone).
    static func bindings(after: UUID, limit: Int, actor: AuditActor, identifier: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6 + identifier.count)
        bindings.append(after)
        bindings.append(limit)
        bindings.appendReader(actor)
        for value in identifier { bindings.append(value) }
        return bindings
    }
}

/// Subjects by e-mail: by its blind index ($7), or for a row written before encryption by the plain value ($8),
/// case-insensitively.
struct SubjectSearchByEmail: RowsStatement {
    static let name = "subject_search_email"
    static let sql = SubjectSearch.sql(matching: "(s.email_index = $7::bytea OR (s.email_index IS NULL AND lower(s.email) = lower($8::text)))")
    let bindings: PostgresBindings
}

/// Subjects by phone (E.164): by its blind index ($7), or for a row written before encryption by the plain value ($8).
struct SubjectSearchByPhone: RowsStatement {
    static let name = "subject_search_phone"
    static let sql = SubjectSearch.sql(matching: "(s.phone_index = $7::bytea OR (s.phone_index IS NULL AND s.phone = $8::text))")
    let bindings: PostgresBindings
}

/// Subjects by the shop's external ref ($7).
struct SubjectSearchByExternalRef: RowsStatement {
    static let name = "subject_search_external_ref"
    static let sql = SubjectSearch.sql(matching: "s.external_ref = $7::text")
    let bindings: PostgresBindings
}

extension PostgresBindings {
    /// The reader of a statement that records its read: the audit row's API key, user and request id, then the
    /// subject statuses the reader may read (``SubjectRepository/permittedStatuses(_:)``), as four parameters.
    mutating func appendReader(_ actor: AuditActor) {
        append(actor.apiKeyID)
        append(actor.userID)
        append(actor.requestID)
        append(SubjectRepository.permittedStatuses(actor))
    }

    /// A statement's row id as $1, then its reader as $2–$5 (``appendReader(_:)``).
    static func reading(_ id: UUID, by actor: AuditActor) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(id)
        bindings.appendReader(actor)
        return bindings
    }
}
