import CustodianCore
import CustodianStore
import CustodianTestSupport
import PostgresNIO
import Testing

/// The application role `serve` and `work` connect as, tried as that role: every attempt on the evidence or the
/// schema is refused for want of a privilege (SQLSTATE 42501 "permission denied" or "must be owner"), before any
/// trigger runs.
@Suite("Least privilege: the application role")
struct DatabaseRoleTests {
    static let forbidden = [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete",
        "ALTER TABLE consent_events DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_truncate ON audit_log",
        "DROP TRIGGER consent_events_no_update_or_delete ON consent_events",
        "CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "SET session_replication_role = replica",
        "TRUNCATE audit_log",
        "TRUNCATE consent_events CASCADE",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET action = 'x'",
        "UPDATE consent_events SET action = 'withdraw'",
        "DELETE FROM consent_events",
        "UPDATE consent_texts SET url = 'https://example.com/other'",
        "DELETE FROM consent_texts",
        "DELETE FROM schema_migrations",
        "CREATE TABLE intruder (id int)",
        "CREATE TABLE custodian_keys.intruder (id int)",
        "DROP TABLE custodian_keys.subject_keys",
        "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "ALTER TABLE subjects ADD COLUMN intruder text",
        "DROP TABLE jobs",
        "CREATE TRIGGER intruder BEFORE INSERT ON subjects FOR EACH ROW EXECUTE FUNCTION reject_change_of_append_only_table()",
        "ALTER TABLE audit_log OWNER TO custodian_app",
    ]

    @Test("cannot disable or drop triggers, truncate or change the evidence, or change the schema", arguments: forbidden)
    func refused(statement: String) async throws {
        try await TestDatabase.withMigrated { database in
            _ = try await SubjectRepository(database: database).create(
                NewSubject(externalRef: "c-1", fullName: "A B", email: nil, phone: nil, registrationAddress: nil, locale: nil),
                actor: AuditActor(apiKeyID: nil, requestID: "r1"))
            let error = await #expect(throws: PSQLError.self) {
                try await database.pools.withPool { _ = try await $0.query(PostgresQuery(unsafeSQL: statement)) }
            }
            #expect(error?.serverInfo?[.sqlState] == "42501")
            let message = error?.serverInfo?[.message] ?? ""
            #expect(message.hasPrefix("permission denied") || message.hasPrefix("must be owner"), "\(message)")
            #expect(try await database.query("SELECT count(*) FROM audit_log").collect().first?.decode(Int.self) == 1)
        }
    }

    @Test("holds row privileges only: full DML on working tables, read and append on the evidence, nothing more")
    func catalogue() async throws {
        let role = try TestDatabase.Role.application.name()
        try await TestDatabase.withMigrated(as: .owner) { database in
            var tables: [String: [String]] = [:]
            for try await (table, privileges) in try await database.query("""
                SELECT c.relname::text || CASE WHEN n.nspname = 'public' THEN '' ELSE '@' || n.nspname END, array_remove(ARRAY[
                    CASE WHEN has_table_privilege(\(role), c.oid, 'SELECT') THEN 'SELECT' END,
                    CASE WHEN has_table_privilege(\(role), c.oid, 'INSERT') THEN 'INSERT' END,
                    CASE WHEN has_table_privilege(\(role), c.oid, 'UPDATE') THEN 'UPDATE' END,
                    CASE WHEN has_table_privilege(\(role), c.oid, 'DELETE') THEN 'DELETE' END,
                    CASE WHEN has_table_privilege(\(role), c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                    CASE WHEN has_table_privilege(\(role), c.oid, 'REFERENCES') THEN 'REFERENCES' END,
                    CASE WHEN has_table_privilege(\(role), c.oid, 'TRIGGER') THEN 'TRIGGER' END], NULL)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname IN ('public', \(ApplicationRolePrivileges.keySchema)) AND c.relkind IN ('r', 'p')
                """).decode((String, [String]).self) {
                tables[table] = privileges
            }
            #expect(tables.count > 30)
            #expect(tables["subject_keys@custodian_keys"] != nil)
            for (table, privileges) in tables {
                let expected: [String] = switch table {
                case _ where ApplicationRolePrivileges.appendOnlyTables.contains(table): ["SELECT", "INSERT"]
                case _ where ApplicationRolePrivileges.readOnlyTables.contains(table): ["SELECT"]
                default: ["SELECT", "INSERT", "UPDATE", "DELETE"]
                }
                #expect(privileges == expected, "\(table)")
            }
            let columns = try await database.query("""
                SELECT array_agg(attname::text ORDER BY attname) FROM pg_attribute
                WHERE attrelid = 'consent_events'::regclass AND attnum > 0 AND NOT attisdropped
                  AND has_column_privilege(\(role), attrelid, attnum, 'UPDATE')
                """).collect().first?.decode([String].self)
            #expect(columns == ApplicationRolePrivileges.clearableConsentEventColumns.sorted())
            let owned = try await database.query("""
                SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = \(role))
                """).collect().first?.decode(Int.self)
            #expect(owned == 0)
            #expect(try await database.query("SELECT has_schema_privilege(\(role), 'public', 'CREATE')").collect().first?.decode(Bool.self) == false)
        }
    }

    @Test("serve and work can tell whether they connected as the owner (they warn) or as the application role")
    func ownerDetected() async throws {
        try await TestDatabase.withMigratedName { name in
            let owner = try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) {
                try await ApplicationRolePrivileges.connectedRoleOwnsEvidence(on: $0)
            }
            let application = try await TestDatabase.running(TestDatabase.pool(database: name)) {
                try await ApplicationRolePrivileges.connectedRoleOwnsEvidence(on: $0)
            }
            #expect(owner)
            #expect(!application)
        }
    }

    @Test("re-applying converges: a table the owner adds later is granted, an UPDATE granted by hand is taken back")
    func reapplied() async throws {
        let role = try TestDatabase.Role.application.name()
        try await TestDatabase.withMigratedName { name in
            try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) { owner in
                try await owner.query("CREATE TABLE later (id int)")
                try await owner.query(PostgresQuery(unsafeSQL: "GRANT UPDATE ON audit_log TO \(role)"))
                try await ApplicationRolePrivileges(role: role).apply(on: owner)
                try await ApplicationRolePrivileges(role: role).apply(on: owner)
            }
            try await TestDatabase.running(TestDatabase.pool(database: name)) { application in
                try await application.query("INSERT INTO later VALUES (1)")
                #expect(try await application.query("SELECT has_table_privilege('audit_log', 'UPDATE')").collect().first?.decode(Bool.self) == false)
                // What erasure does to consent evidence is still allowed (the table's trigger decides the rest).
                try await application.query("UPDATE consent_events SET ip_address = NULL, user_agent = NULL WHERE false")
            }
        }
    }
}
