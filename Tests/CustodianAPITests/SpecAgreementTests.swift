@testable import CustodianAPI
import Foundation
import Testing

@Suite("The spec and the server agree")
struct SpecAgreementTests {
    /// (operationId, scopes in its security requirement; nil when `security: []`), read from openapi.yaml.
    static func operations() throws -> [(id: String, scope: String?)] {
        let lines = try String(contentsOfFile: SpecFile.path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var result: [(String, String?)] = []
        var current: String?
        var scope: String??
        func flush() {
            if let current { result.append((current, scope ?? "dpo")) }
            current = nil
            scope = nil
        }
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // Operation ids at the operation's own indentation; deeper ones are OpenAPI links.
            if line.hasPrefix("      operationId:") {
                flush()
                current = String(trimmed.dropFirst("operationId:".count)).trimmingCharacters(in: .whitespaces)
            } else if current != nil, trimmed == "security: []" {
                scope = .some(nil)
            } else if current != nil, trimmed.hasPrefix("- bearerAuth: ["), let open = trimmed.firstIndex(of: "["), let close = trimmed.firstIndex(of: "]") {
                scope = .some(String(trimmed[trimmed.index(after: open)..<close]))
            } else if line.hasPrefix("components:") {
                flush()
            }
        }
        flush()
        return result
    }

    @Test("every operation's security requirement matches the scope the server enforces")
    func scopes() throws {
        let operations = try Self.operations()
        #expect(operations.count >= 18)
        for operation in operations {
            #expect(OperationScopes.required(for: operation.id)?.rawValue == operation.scope, "\(operation.id)")
        }
    }

    @Test("a shop key gets 403 on every dpo-only operation in the spec")
    func shopForbiddenOnDPOOperations() async throws {
        let dpoOnly = try Self.operations().filter { $0.scope == "dpo" }.map(\.id)
        #expect(!dpoOnly.isEmpty)
        let requests: [String: (method: String, path: String)] = [
            "listAuditEvents": ("GET", "/v1/audit?subject_id=\(UUID().uuidString)"),
            "createPurpose": ("POST", "/v1/purposes"),
            "updatePurpose": ("PATCH", "/v1/purposes/newsletter"),
            "deletePurpose": ("DELETE", "/v1/purposes/newsletter"),
            "createPolicyVersion": ("POST", "/v1/policy-versions"),
            "listJobs": ("GET", "/v1/jobs"),
            "getJobStats": ("GET", "/v1/jobs/stats"),
            "getJob": ("GET", "/v1/jobs/1"),
            "retryJob": ("POST", "/v1/jobs/1/retry"),
            "cancelJob": ("POST", "/v1/jobs/1/cancel"),
            "listRecipients": ("GET", "/v1/recipients"),
            "listTransfers": ("GET", "/v1/subjects/\(UUID().uuidString)/transfers"),
            "createRecipient": ("POST", "/v1/recipients"),
            "getRecipient": ("GET", "/v1/recipients/\(UUID().uuidString)"),
            "updateRecipient": ("PATCH", "/v1/recipients/\(UUID().uuidString)"),
            "startErasureCascade": ("POST", "/v1/subjects/\(UUID().uuidString)/erasure-cascade"),
            "getErasureCascade": ("GET", "/v1/subjects/\(UUID().uuidString)/erasure-cascade"),
            "listCalendarDays": ("GET", "/v1/calendar-days?year=2026"),
            "createSubjectRequest": ("POST", "/v1/subject-requests"),
            "listSubjectRequests": ("GET", "/v1/subject-requests"),
            "getSubjectRequest": ("GET", "/v1/subject-requests/\(UUID().uuidString)"),
            "extendSubjectRequest": ("POST", "/v1/subject-requests/\(UUID().uuidString)/extend"),
            "denySubjectRequest": ("POST", "/v1/subject-requests/\(UUID().uuidString)/deny"),
            "cancelSubjectRequest": ("POST", "/v1/subject-requests/\(UUID().uuidString)/cancel"),
            "fulfilSubjectRequest": ("POST", "/v1/subject-requests/\(UUID().uuidString)/fulfil"),
            "liftSubjectRequest": ("POST", "/v1/subject-requests/\(UUID().uuidString)/lift"),
            "getSubjectRequestExport": ("GET", "/v1/subject-requests/\(UUID().uuidString)/export"),
            "setCalendarDay": ("PUT", "/v1/calendar-days/2026-05-04"),
            "deleteCalendarDay": ("DELETE", "/v1/calendar-days/2026-05-01"),
        ]
        try await TestApp.run { app in
            let shop = try await app.key(.shop)
            for operation in dpoOnly {
                let request = try #require(requests[operation], "add a request for the new dpo operation \(operation)")
                let response = try await app.request(.init(request.method)!, request.path, key: shop)
                #expect(response.status == .forbidden, "\(operation)")
            }
        }
    }
}
