import Foundation
import HummingbirdTesting
import Testing

/// What every error response must be: RFC 9457 problem+json naming its status, with no trace of the server's insides
/// (stack frames, SQL, driver names) and none of the values the client sent.
enum ProblemHygiene {
    static let internals = [
        "SQLSTATE", "PSQLError", "Postgres", "postgres", "SELECT ", "INSERT ", "UPDATE ", "violates",
        "duplicate key", ".swift", "Fatal error", "Backtrace", "DecodingError", "Swift.", "NIOCore", "Hummingbird", "0x0000",
    ]

    /// Records an issue for every way `response` falls short; `sent` are the client's values it must not repeat.
    static func check(_ response: TestResponse, sent: [String], context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = response.text
        #expect(response.headers[.contentType] == "application/problem+json", "\(context)", sourceLocation: sourceLocation)
        let problem = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        #expect(problem?["status"] as? Int == Int(response.status.code), "\(context): \(text.prefix(300))", sourceLocation: sourceLocation)
        #expect(problem?["type"] is String && problem?["title"] is String, "\(context)", sourceLocation: sourceLocation)
        for marker in internals where text.contains(marker) {
            Issue.record("\(context): the problem mentions \(marker): \(text.prefix(300))", sourceLocation: sourceLocation)
        }
        for value in sent where value.count >= 6 && text.contains(String(value.prefix(64))) {
            Issue.record("\(context): the problem repeats a value the client sent: \(text.prefix(300))", sourceLocation: sourceLocation)
        }
    }
}
