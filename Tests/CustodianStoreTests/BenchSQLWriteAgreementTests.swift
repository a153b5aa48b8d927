import CustodianTestSupport
import Foundation
import Testing

@testable import CustodianQueue
@testable import CustodianStore

/// bench/api-load compares the consent write with pgbench running `bench/sql/pgbench-consent-write.sql`; the ratio
/// means something only while the file runs the statements the API runs for a newsletter grant or withdrawal.
@Suite("Benchmark SQL agrees with the API's consent write")
struct BenchSQLWriteAgreementTests {
    /// The file's statements with their constants written `?`, and what only pgbench needs taken out: the subject id it
    /// derives from its random number, and the name under which `\gset` keeps whether the event became current.
    static func benchStatements() throws -> [String] {
        try BenchSQL.statements(BenchSQL.file("pgbench-consent-write.sql")).map { statement in
            try BenchSQL.constantsAsPlaceholders(
                statement.replacingOccurrences(of: "md5('s' || ?)::uuid", with: "?").replacingOccurrences(of: " AS became_current", with: ""))
        }
    }

    static func api(_ sql: String) throws -> String {
        try BenchSQL.constantsAsPlaceholders(BenchSQL.normalized(sql))
    }

    @Test("the pgbench consent-write script runs ConsentRepository.record's statements and the opt-out job's enqueue, in order, prepared")
    func consentWrite() throws {
        let script = try BenchSQL.file("pgbench-consent-write.sql")
        let bench = try Self.benchStatements()
        // The first statement makes what the API makes in Swift (event id, job payload); then the transaction.
        try #require(bench.count == 6, "bench/sql/pgbench-consent-write.sql: expected a setup SELECT, BEGIN, three statements and COMMIT")
        #expect(bench[1] == "BEGIN" && bench[5] == "COMMIT")
        #expect(bench[2] == (try Self.api(ConsentContextStatement.sql)), "bench/sql/pgbench-consent-write.sql: copy ConsentContextStatement.sql again")
        #expect(bench[3] == (try Self.api(ConsentEventWriteStatement.sql)), "bench/sql/pgbench-consent-write.sql: copy ConsentEventWriteStatement.sql again")
        #expect(bench[4] == (try Self.api(JobEnqueueStatement.sql)), "bench/sql/pgbench-consent-write.sql: copy JobEnqueueStatement.sql again")
        #expect(BenchSQL.pgbenchProtocol(script) == "prepared", "the API prepares the three statements, so pgbench must too (bench/api-load)")
    }

    @Test("constants compare as placeholders, the statement's words do not")
    func constantsOnly() throws {
        #expect(try BenchSQL.constantsAsPlaceholders("VALUES (?, 'a''b'::text, NULL::inet, 20, now(), false) WHERE x IS NOT NULL AND md5(y)")
                == "VALUES (?, ?, ?, ?, ?, ?) WHERE x IS NOT ? AND md5(y)")
        #expect(try BenchSQL.constantsAsPlaceholders("ORDER BY 15 DESC") != BenchSQL.constantsAsPlaceholders("ORDER BY 15 ASC"))
    }
}
