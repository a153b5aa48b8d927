import Foundation

/// The benchmarks' SQL files (`bench/sql`), which must run what the product runs: read and compared without the
/// differences that do not change a statement.
public enum BenchSQL {
    /// The text of `bench/sql/<name>`.
    public static func file(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("bench/sql").appendingPathComponent(name), encoding: .utf8)
    }

    /// Comments, psql meta-commands and statement ends dropped, whitespace collapsed, and every bind placeholder (`$n`
    /// or a psql `:name`) with its cast written `?`.
    public static func normalized(_ sql: String) throws -> String {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("\\") }
        let text = lines.joined(separator: " ").replacingOccurrences(of: ";", with: " ")
        let placeholders = try NSRegularExpression(pattern: #"(\$\d+|(?<![:\w]):[a-z_]+)(::[a-z_]+(\[\])?)?"#)
        let replaced = placeholders.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "?")
        return replaced.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
