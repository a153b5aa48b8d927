import CustodianCore
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// An RFC 9457 problem: the one shape of every error response. Details never contain personal data.
public struct Problem: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let type: String
    public let title: String
    public let detail: String
    public var errors: [FieldError]
    public var headers: HTTPFields

    public init(
        status: HTTPResponse.Status, type: String? = nil, title: String? = nil, detail: String,
        errors: [FieldError] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type.map { "https://custodian.dev/problems/\($0)" } ?? "about:blank"
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The JSON body.
    public var body: Data {
        let document = Document(
            type: type, title: title, status: status.code, detail: detail,
            errors: errors.isEmpty ? nil : errors.map { .init(field: $0.field, message: $0.message) })
        return (try? Self.encoder.encode(document)) ?? Data()
    }

    /// Headers of the response, content type included.
    public var responseHeaders: HTTPFields {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return fields
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private struct Document: Encodable {
        struct Field: Encodable {
            let field: String
            let message: String
        }
        let type: String
        let title: String
        let status: Int
        let detail: String
        let errors: [Field]?
    }
}

extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, type: "unauthorized", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(requiredScope: APIKeyScope) -> Problem {
        Problem(status: .forbidden, type: "forbidden", detail: "This operation needs an API key with scope \(requiredScope.rawValue).")
    }

    static func notFound(_ what: String) -> Problem {
        Problem(status: .notFound, type: "not-found", detail: "There is no \(what) with this id.")
    }

    static let noRoute = Problem(status: .notFound, type: "no-such-route", detail: "There is no resource at this path.")

    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return Problem(
            status: .methodNotAllowed, type: "method-not-allowed",
            detail: "This resource supports \(allow).", headers: [.allow: allow])
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            status: .unprocessableContent, type: "validation-failed", title: "Validation failed",
            detail: "\(errors.count) field\(errors.count == 1 ? " is" : "s are") invalid; see errors.", errors: errors)
    }

    static func badRequest(_ detail: String) -> Problem {
        Problem(status: .badRequest, type: "bad-request", detail: detail)
    }

    static func conflict(_ type: String, _ detail: String) -> Problem {
        Problem(status: .conflict, type: type, detail: detail)
    }

    static func contentTooLarge(limit: Int) -> Problem {
        Problem(status: .contentTooLarge, type: "content-too-large", detail: "The request body exceeds the limit of \(limit) bytes.")
    }

    /// `Retry-After` of a 503 that lasts until an operator configures the server: an hour, the spec requiring one.
    static let retryAfterConfiguration = "3600"

    static let serviceUnavailable = Problem(
        status: .serviceUnavailable, type: "service-unavailable",
        detail: "The database cannot be reached; retry later.", headers: [.retryAfter: "1"])

    static let internalError = Problem(
        status: .internalServerError, type: "internal-error",
        detail: "The server failed to handle the request; it has been logged.")
}

extension Problem: OpenAPIRuntime.HTTPResponseConvertible {
    public var httpStatus: HTTPResponse.Status { status }
    public var httpHeaderFields: HTTPFields { responseHeaders }
    public var httpBody: OpenAPIRuntime.HTTPBody? { HTTPBody(body) }
}

extension Problem: Hummingbird.HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: responseHeaders, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let requestID = Self("X-Request-Id")!
}
