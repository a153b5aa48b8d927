import CustodianQueue
import Foundation
import Testing

/// bench/worker-drain measures the database's limit with pgbench running the queue's own claim and complete SQL from
/// `bench/sql/pgbench-claim-complete.sql`; the figure means something only while that file runs what the worker runs.
@Suite("Benchmark SQL agrees with the queue's")
struct BenchSQLAgreementTests {
    static let benchFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bench/sql/pgbench-claim-complete.sql")

    /// Comments, psql meta-commands and statement ends dropped, whitespace collapsed, and every bind placeholder (`$n`
    /// or a psql `:name`) with its cast written `?`.
    static func normalized(_ sql: String) throws -> String {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("\\") }
        let text = lines.joined(separator: " ").replacingOccurrences(of: ";", with: " ")
        let placeholders = try NSRegularExpression(pattern: #"(\$\d+|(?<![:\w]):[a-z_]+)(::[a-z_]+(\[\])?)?"#)
        let replaced = placeholders.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "?")
        return replaced.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test("the pgbench script runs JobStore's cycle statement verbatim, as a claim and as a completion")
    func agrees() throws {
        let bench = try Self.normalized(String(contentsOf: Self.benchFile, encoding: .utf8))
        let statement = try Self.normalized(JobCycleStatement.sql)
        #expect(bench.components(separatedBy: statement).count == 3, "bench/sql/pgbench-claim-complete.sql: copy JobCycleStatement.sql again (twice)")
        // The comparison finds a drift of one word.
        let drifted = JobCycleStatement.sql.replacingOccurrences(of: "SKIP LOCKED", with: "NOWAIT")
        #expect(!bench.contains(try Self.normalized(drifted)))
    }
}
