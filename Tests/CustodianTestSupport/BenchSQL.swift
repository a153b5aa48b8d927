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
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false).compactMap(code)
        let text = lines.joined(separator: " ").replacingOccurrences(of: ";", with: " ")
        let placeholders = try NSRegularExpression(pattern: #"(\$\d+|(?<![:\w]):[a-z_]+)(::[a-z_]+(\[\])?)?"#)
        let replaced = placeholders.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "?")
        return replaced.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The statements of a bench file in order, each ``normalized(_:)``: a statement ends at a `;` or a `\gset` at the
    /// end of a line (the `\gset` dropped).
    public static func statements(_ sql: String) throws -> [String] {
        var statements: [String] = []
        var current: [String] = []
        for case var line? in sql.split(separator: "\n", omittingEmptySubsequences: false).map(code) {
            let ends = line.hasSuffix(";") || line.hasSuffix("\\gset")
            if line.hasSuffix("\\gset") { line.removeLast("\\gset".count) }
            current.append(line)
            if ends {
                statements.append(try normalized(current.joined(separator: " ")))
                current = []
            }
        }
        return statements
    }

    /// A ``normalized(_:)`` statement with its constants also written `?`: string literals and NULL (with a cast),
    /// numbers, booleans and `now()`. For comparing a bench statement that writes a constant where the API binds a
    /// value; the statements' shape (tables, columns, joins, conditions) is still compared word for word.
    public static func constantsAsPlaceholders(_ normalized: String) throws -> String {
        let constants = try NSRegularExpression(
            pattern: #"('(?:[^']|'')*'|\bNULL\b|\bnow\(\)|\btrue\b|\bfalse\b|(?<![\w$])\d+\b)(::[a-z_]+(\[\])?)?"#)
        return constants.stringByReplacingMatches(
            in: normalized, range: NSRange(normalized.startIndex..., in: normalized), withTemplate: "?")
    }

    /// The protocol a bench file asks pgbench to use (its `-- pgbench-protocol: NAME` line, which bench/api-load reads),
    /// `extended` when it names none: `prepared` for a statement the API prepares.
    public static func pgbenchProtocol(_ sql: String) -> String {
        let marker = "-- pgbench-protocol:"
        return sql.split(separator: "\n").first { $0.hasPrefix(marker) }.map { $0.dropFirst(marker.count).trimmingCharacters(in: .whitespaces) }
            ?? "extended"
    }

    /// A line's SQL, its comment and surrounding blanks dropped; nil for a psql or pgbench meta-command (`\set`, `\if`).
    private static func code(_ line: Substring) -> String? {
        let code = (line.range(of: "--").map { line[..<$0.lowerBound] } ?? line).trimmingCharacters(in: .whitespaces)
        return code.hasPrefix("\\") ? nil : code
    }
}
