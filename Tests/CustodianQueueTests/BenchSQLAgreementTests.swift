import CustodianQueue
import CustodianTestSupport
import Testing

/// bench/worker-drain measures the database's limit with pgbench running the queue's own claim and complete SQL from
/// `bench/sql/pgbench-claim-complete.sql`; the figure means something only while that file runs what the worker runs.
@Suite("Benchmark SQL agrees with the queue's")
struct BenchSQLAgreementTests {
    @Test("the pgbench script runs JobStore's cycle statement verbatim, as a claim and as a completion")
    func agrees() throws {
        let bench = try BenchSQL.normalized(BenchSQL.file("pgbench-claim-complete.sql"))
        let statement = try BenchSQL.normalized(JobCycleStatement.sql)
        #expect(bench.components(separatedBy: statement).count == 3, "bench/sql/pgbench-claim-complete.sql: copy JobCycleStatement.sql again (twice)")
        // The comparison finds a drift of one word.
        let drifted = JobCycleStatement.sql.replacingOccurrences(of: "SKIP LOCKED", with: "NOWAIT")
        #expect(!bench.contains(try BenchSQL.normalized(drifted)))
    }
}
