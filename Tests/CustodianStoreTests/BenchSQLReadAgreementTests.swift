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

    @Test("the pgbench subject-read script runs SubjectRepository's read statement for a dpo key verbatim")
    func subjectRead() throws {
        let bench = try Self.benchStatement("pgbench-subject-read.sql", auditValues: "NULL, 'subject.read', id, 'pgbench'")
        #expect(bench == (try BenchSQL.normalized(SubjectRepository.readQuery(id: UUID(), actor: Self.dpo).sql)),
                "bench/sql/pgbench-subject-read.sql: copy SubjectRepository.readQuery again")
        // The comparison tells a shop key's statement (which skips restricted subjects) from a dpo key's.
        #expect(bench != (try BenchSQL.normalized(SubjectRepository.readQuery(id: UUID(), actor: Self.shop).sql)))
    }

    @Test("the pgbench consent-read script runs ConsentRepository's overview statement for a dpo key verbatim")
    func consentRead() throws {
        let bench = try Self.benchStatement("pgbench-consent-read.sql", auditValues: "NULL, 'consent.read', id, 'pgbench', false")
        #expect(bench == (try BenchSQL.normalized(ConsentRepository.overviewQuery(subjectID: UUID(), actor: Self.dpo).sql)),
                "bench/sql/pgbench-consent-read.sql: copy ConsentRepository.overviewQuery again")
        #expect(bench != (try BenchSQL.normalized(ConsentRepository.overviewQuery(subjectID: UUID(), actor: Self.shop).sql)))
    }
}
