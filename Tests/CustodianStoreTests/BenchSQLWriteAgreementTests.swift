import CustodianCore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import CustodianQueue
@testable import CustodianStore

/// bench/api-load compares the consent write with pgbench running `bench/sql/pgbench-consent-write.sql`; the ratio
/// means something only while the file runs the statements the API runs for a newsletter grant or withdrawal.
@Suite("Benchmark SQL agrees with the API's consent write")
struct BenchSQLWriteAgreementTests {
    static let event = NewConsentEvent(
        subjectID: UUID(), purpose: PurposeCode.newsletter, action: .withdraw, policyLabel: "v1", channel: .api, occurredAt: Date(),
        ipAddress: nil, userAgent: nil, formID: nil, consentTextLabel: nil)
    static let actor = AuditActor(apiKeyID: UUID(), party: .shop, requestID: "bench")

    /// The file's statements with their constants written `?`, and what only pgbench needs taken out: the subject id it
    /// derives from its random number, and the name under which `\gset` keeps whether the event became current.
    static func benchStatements() throws -> [String] {
        try BenchSQL.statements(BenchSQL.file("pgbench-consent-write.sql")).map { statement in
            try BenchSQL.constantsAsPlaceholders(
                statement.replacingOccurrences(of: "md5('s' || ?)::uuid", with: "?").replacingOccurrences(of: " AS became_current", with: ""))
        }
    }

    static func api(_ query: PostgresQuery) throws -> String {
        try BenchSQL.constantsAsPlaceholders(BenchSQL.normalized(query.sql))
    }

    @Test("the pgbench consent-write script runs ConsentRepository.record's statements and the opt-out job's enqueue, in order")
    func consentWrite() throws {
        let bench = try Self.benchStatements()
        // The first statement makes what the API makes in Swift (event id, job payload); then the transaction.
        try #require(bench.count == 6, "bench/sql/pgbench-consent-write.sql: expected a setup SELECT, BEGIN, three statements and COMMIT")
        #expect(bench[1] == "BEGIN" && bench[5] == "COMMIT")
        #expect(bench[2] == (try Self.api(ConsentRepository.recordContextQuery(Self.event))),
                "bench/sql/pgbench-consent-write.sql: copy ConsentRepository.recordContextQuery again")
        #expect(bench[3] == (try Self.api(ConsentRepository.recordWriteQuery(Self.event, id: UUID(), policyID: UUID(), textID: nil, actor: Self.actor))),
                "bench/sql/pgbench-consent-write.sql: copy ConsentRepository.recordWriteQuery again")
        let enqueue = JobQueue.enqueueQuery(
            kind: NewsletterOptOutJob.name, payload: "{}", uniqueKey: "k", priority: 0, maximumAttempts: NewsletterOptOutJob.maximumAttempts,
            subjectID: Self.event.subjectID)
        #expect(bench[4] == (try Self.api(enqueue)), "bench/sql/pgbench-consent-write.sql: copy JobQueue.enqueueQuery again")
    }

    @Test("constants compare as placeholders, the statement's words do not")
    func constantsOnly() throws {
        #expect(try BenchSQL.constantsAsPlaceholders("VALUES (?, 'a''b'::text, NULL::inet, 20, now(), false) WHERE x IS NOT NULL AND md5(y)")
                == "VALUES (?, ?, ?, ?, ?, ?) WHERE x IS NOT ? AND md5(y)")
        #expect(try BenchSQL.constantsAsPlaceholders("ORDER BY 15 DESC") != BenchSQL.constantsAsPlaceholders("ORDER BY 15 ASC"))
    }
}
