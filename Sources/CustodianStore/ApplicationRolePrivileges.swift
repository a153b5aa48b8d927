import CustodianDatabase
import Logging
import PostgresNIO

/// What the role `serve` and `work` connect as may do: read and write the rows of every table (the data keys' too), but only read and
/// append to the evidence (the audit log, consent events, consent texts) — except clearing the address and user
/// agent an erasure removes from consent events — and only read the migration bookkeeping. No TRUNCATE, TRIGGER or
/// REFERENCES privilege, no CREATE on the schema; as it owns nothing it cannot alter, disable or drop a table or a
/// trigger either. `custodian migrate`, as the owner, applies this after every run, so a new table is covered at once
/// and a table that becomes append-only loses its UPDATE and DELETE.
public struct ApplicationRolePrivileges: Sendable {
    /// Tables the application may only read and insert into.
    public static let appendOnlyTables = ["audit_log", "consent_events", "consent_texts"]
    /// The columns of consent events an erasure clears (the table's trigger decides which changes pass).
    public static let clearableConsentEventColumns = ["ip_address", "user_agent"]
    /// The schema of the data keys, kept out of long-lived backups of the data.
    public static let keySchema = "custodian_keys"
    /// Tables the application may only read.
    public static let readOnlyTables = ["schema_migrations"]

    /// The application role's name.
    public let role: String

    public init(role: String) {
        self.role = role
    }

    /// The statements, in order: everything revoked first, so that re-applying converges on exactly this set.
    public var statements: [String] {
        let role = Self.quoted(role)
        let appendOnly = Self.appendOnlyTables.joined(separator: ", ")
        let readOnly = Self.readOnlyTables.joined(separator: ", ")
        return [
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role)",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM \(role)",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "REVOKE CREATE ON SCHEMA public FROM \(role)",
            "GRANT USAGE ON SCHEMA public TO \(role)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role)",
            "REVOKE UPDATE, DELETE ON \(appendOnly) FROM \(role)",
            "GRANT UPDATE (\(Self.clearableConsentEventColumns.joined(separator: ", "))) ON consent_events TO \(role)",
            "REVOKE INSERT, UPDATE, DELETE ON \(readOnly) FROM \(role)",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(role)",
            // The data keys: created with a subject, deleted by its erasure, rewrapped by a KEK rotation.
            "REVOKE ALL ON ALL TABLES IN SCHEMA \(Self.keySchema) FROM \(role)",
            "REVOKE CREATE ON SCHEMA \(Self.keySchema) FROM \(role)",
            "GRANT USAGE ON SCHEMA \(Self.keySchema) TO \(role)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(Self.keySchema) TO \(role)",
        ]
    }

    /// Applies the privileges in one transaction. The connected role must own the tables.
    public func apply(on database: Database) async throws {
        try await database.transaction { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
            }
        }
    }

    /// Whether the connected role is a superuser or owns the audit log, and so could disable its triggers: true when
    /// `serve` or `work` connect as the owner rather than an application role.
    public static func connectedRoleOwnsEvidence(on database: Database) async throws -> Bool {
        try await database.query("""
            SELECT rolsuper OR EXISTS (SELECT 1 FROM pg_class WHERE oid = 'audit_log'::regclass AND relowner = r.oid)
            FROM pg_roles r WHERE rolname = current_user
            """).collect().first?.decode(Bool.self) ?? false
    }

    /// `name` as an SQL identifier, double quotes doubled.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
