import Foundation
import HummingbirdTesting
import Testing

/// One hostile request: sent, held to "never a 5xx", and when refused, to a clean problem and an unchanged database.
enum Attempt {
    @discardableResult
    static func send(
        _ app: TestApp, _ request: ValidRequest, bytes: [UInt8], sent: [String], context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        let before = try await DatabaseFingerprint.take(app.database)
        let response = try await app.send(request, bytes: bytes)
        try await check(app, response, before: before, sent: sent, context: context, sourceLocation: sourceLocation)
        return response
    }

    /// The same checks for a request sent some other way; `before` is the fingerprint taken just before it.
    static func check(
        _ app: TestApp, _ response: TestResponse, before: [String: String], sent: [String], context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(response.status.code < 500, "\(context): \(response.status) \(response.text.prefix(300))", sourceLocation: sourceLocation)
        guard (400..<500).contains(response.status.code) else { return }
        ProblemHygiene.check(response, sent: sent, context: context, sourceLocation: sourceLocation)
        #expect(try await DatabaseFingerprint.take(app.database) == before, "\(context): a refused request changed rows", sourceLocation: sourceLocation)
    }
}
