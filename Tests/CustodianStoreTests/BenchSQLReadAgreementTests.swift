import CustodianTestSupport
import Foundation
import Testing

@testable import CustodianStore

/// bench/api-load compares the subject read and the consent read with pgbench running `bench/sql/pgbench-subject-read.sql`
/// and `pgbench-consent-read.sql`; each ratio means something only while its file runs the statement the API runs.
@Suite("Benchmark SQL agrees with the API's reads")
struct BenchSQLReadAgreementTests {
    static let dpo = AuditActor(apiKeyID: UUID(), party: .oversight, requestID: "bench")

    /// A bench file and an API statement compared: `?` for every bind and every constant (the script writes constants
    /// where the API binds the action or the statuses), the subject id the script derives from pgbench's random number
    /// a bind too; everything else word for word.
    static func expectAgreement(_ file: String, _ statement: String, name: String) throws {
        let script = try BenchSQL.file(file)
        let bench = try BenchSQL.constantsAsPlaceholders(BenchSQL.normalized(script).replacingOccurrences(of: "md5('s' || ?)::uuid", with: "?"))
        #expect(bench == (try BenchSQL.constantsAsPlaceholders(BenchSQL.normalized(statement))), "bench/sql/\(file): copy \(name).sql again")
        #expect(BenchSQL.pgbenchProtocol(script) == "prepared", "the API prepares the statement, so pgbench must too (bench/api-load)")
        // The statuses it writes are the ones a dpo key may read.
        #expect(script.contains("'{\(SubjectRepository.permittedStatuses(dpo).joined(separator: ","))}'::text[]"))
    }

    @Test("the pgbench subject-read script runs SubjectReadStatement verbatim, prepared as the API prepares it")
    func subjectRead() throws {
        try Self.expectAgreement("pgbench-subject-read.sql", SubjectReadStatement.sql, name: "SubjectReadStatement")
    }

    @Test("the pgbench consent-read script runs ConsentOverviewStatement verbatim, prepared as the API prepares it")
    func consentRead() throws {
        try Self.expectAgreement("pgbench-consent-read.sql", ConsentOverviewStatement.sql, name: "ConsentOverviewStatement")
    }
}
