import CustodianCore
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// An RFC 9457 problem: the one shape of every error response. Details never contain personal data.
public struct Problem: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    /// The catalogued type; nil for `about:blank` (an HTTP error its status explains).
    public let problemType: ProblemType?
    public let title: String
    public let detail: String
    public var errors: [FieldError]
    public var headers: HTTPFields

    /// A catalogued problem: its status is the type's.
    public init(type: ProblemType, title: String? = nil, detail: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = type.status
        self.problemType = type
        self.title = title ?? type.title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// An `about:blank` problem: an HTTP error its status explains.
    public init(status: HTTPResponse.Status, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.problemType = nil
        self.title = status.reasonPhrase
        self.detail = detail
        self.errors = []
        self.headers = headers
    }

    /// The type's URI: its catalogue page on this server (``RequestScope/problemTypeBase``), or `about:blank`.
    public var type: String { problemType.map { RequestScope.problemTypeBase + $0.rawValue } ?? "about:blank" }

    /// This occurrence (RFC 9457 `instance`): the request, by the id its response carries in `X-Request-Id` and the
    /// logs name; nil outside a request.
    public var instance: String? {
        RequestScope.requestID == RequestScope.noRequest ? nil : "urn:custodian:request:" + RequestScope.requestID
    }

    /// The JSON body.
    public var body: Data {
        let document = Document(
            type: type, title: title, status: status.code, detail: detail, instance: instance,
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
        let instance: String?
        let errors: [Field]?
    }
}

extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        Problem(type: .unauthorized, detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(requiredScope: APIKeyScope) -> Problem {
        Problem(type: .forbidden, detail: "This operation needs an API key with scope \(requiredScope.rawValue).")
    }

    static func notFound(_ what: String) -> Problem {
        Problem(type: .notFound, detail: "There is no \(what) with this id.")
    }

    static let noRoute = Problem(type: .noSuchRoute, detail: "There is no resource at this path.")

    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return Problem(
            type: .methodNotAllowed,
            detail: "This resource supports \(allow).", headers: [.allow: allow])
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            type: .validationFailed, title: "Validation failed",
            detail: "\(errors.count) field\(errors.count == 1 ? " is" : "s are") invalid; see errors.", errors: errors)
    }

    static func badRequest(_ detail: String) -> Problem {
        Problem(type: .badRequest, detail: detail)
    }

    static func conflict(_ type: ProblemType, _ detail: String) -> Problem {
        Problem(type: type, detail: detail)
    }

    static func contentTooLarge(limit: Int) -> Problem {
        Problem(type: .contentTooLarge, detail: "The request body exceeds the limit of \(limit) bytes.")
    }

    /// `Retry-After` of a 503 that lasts until an operator configures the server: an hour, the spec requiring one.
    static let retryAfterConfiguration = "3600"

    static let serviceUnavailable = Problem(
        type: .serviceUnavailable,
        detail: "The database cannot be reached; retry later.", headers: [.retryAfter: "1"])

    static let internalError = Problem(
        type: .internalError,
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
