import CustodianStore
import CustodianTestSupport
import Testing

@Suite("SQL files are split into statements")
struct SQLScriptTests {
    @Test("semicolons end statements; comments alone are dropped")
    func basic() {
        let sql = """
            -- a comment; not a statement
            CREATE TABLE a (id int);
            /* block; comment */ INSERT INTO a VALUES (1);;
            SELECT 1
            """
        #expect(SQLScript.statements(in: sql) == [
            "-- a comment; not a statement\nCREATE TABLE a (id int)",
            "/* block; comment */ INSERT INTO a VALUES (1)",
            "SELECT 1",
        ])
    }

    @Test("quoted text, identifiers and dollar-quoted bodies keep their semicolons")
    func quoting() {
        let sql = """
            INSERT INTO t VALUES ('a;b', 'it''s; fine', E'esc\\'; still');
            CREATE TABLE "odd;name" (x int);
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no; way'; END; $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT $1;
            /* nested /* comment; */ still; */ SELECT 2;
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 6)
        #expect(statements[0] == "INSERT INTO t VALUES ('a;b', 'it''s; fine', E'esc\\'; still')")
        #expect(statements[1] == "CREATE TABLE \"odd;name\" (x int)")
        #expect(statements[2].hasSuffix("END; $$"))
        #expect(statements[3] == "DO $body$ BEGIN PERFORM 1; END $body$")
        #expect(statements[4] == "SELECT $1")
        #expect(statements[5] == "/* nested /* comment; */ still; */ SELECT 2")
    }

    @Test("the project's migrations split into complete statements")
    func projectMigrations() throws {
        let files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
        #expect(!files.isEmpty)
        for file in files {
            for statement in SQLScript.statements(in: file.sql) {
                #expect(!statement.hasSuffix(";"))
                #expect(!statement.isEmpty)
            }
        }
    }
}
