import CustodianTestSupport
import Foundation
import Testing

@testable import CustodianStore

/// bench/api-load compares the subject read and the consent read with pgbench running `bench/sql/pgbench-subject-read.sql`
/// and `pgbench-consent-read.sql`; each ratio means something only while its file runs the statement the API runs.
@Suite("Benchmark SQL agrees with the API's reads")
struct BenchSQLReadAgreementTests {
    static let dpo = AuditActor(apiKeyID: UUID(), party: .oversight, requestID: "bench")
    static let shop = AuditActor(apiKeyID: UUID(), party: .shop, requestID: "bench")

    /// A bench file with what it writes as literals written `?` like the binds they stand for: the subject id it
    /// derives from pgbench's random number, and the audit row's values other than the key.
    static func benchStatement(_ file: String, auditValues: String) throws -> String {
        try BenchSQL.normalized(BenchSQL.file(file))
            .replacingOccurrences(of: "md5('s' || ?)::uuid", with: "?")
            .replacingOccurrences(of: "SELECT ?, \(auditValues) FROM subject", with: "SELECT ?, " + auditValues.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces) == "id" ? "id" : "?"
            }.joined(separator: ", ") + " FROM subject")
    }

    @Test("the pgbench subject-read script runs SubjectReadStatement verbatim, prepared as the API prepares it")
    func subjectRead() throws {
        let script = try BenchSQL.file("pgbench-subject-read.sql")
        // The constants the script writes where the statement binds values (the action, the statuses) compare as `?`.
        let bench = try BenchSQL.constantsAsPlaceholders(BenchSQL.normalized(script).replacingOccurrences(of: "md5('s' || ?)::uuid", with: "?"))
        #expect(bench == (try BenchSQL.constantsAsPlaceholders(BenchSQL.normalized(SubjectReadStatement.sql))),
                "bench/sql/pgbench-subject-read.sql: copy SubjectReadStatement.sql again")
        #expect(BenchSQL.pgbenchProtocol(script) == "prepared", "the API prepares the statement, so pgbench must too (bench/api-load)")
        // The statuses it writes are the ones a dpo key may read.
        #expect(script.contains("'{\(SubjectRepository.permittedStatuses(Self.dpo).joined(separator: ","))}'::text[]"))
    }

    @Test("the pgbench consent-read script runs ConsentRepository's overview statement for a dpo key verbatim")
    func consentRead() throws {
        let bench = try Self.benchStatement("pgbench-consent-read.sql", auditValues: "NULL, 'consent.read', id, 'pgbench', false")
        #expect(bench == (try BenchSQL.normalized(ConsentRepository.overviewQuery(subjectID: UUID(), actor: Self.dpo).sql)),
                "bench/sql/pgbench-consent-read.sql: copy ConsentRepository.overviewQuery again")
        #expect(bench != (try BenchSQL.normalized(ConsentRepository.overviewQuery(subjectID: UUID(), actor: Self.shop).sql)))
    }
}
