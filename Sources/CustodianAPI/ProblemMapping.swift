import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation
import HTTPTypes
import Logging
import NIOCore
import OpenAPIRuntime
import PostgresNIO

/// Turns any error into the problem the client sees, logging the ones that are the server's fault.
enum ProblemMapping {
    static func problem(for error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let serverError as ServerError:
            return problem(for: serverError, logger: logger)
        case let failure as ValidationFailure:
            return .validation(failure.errors)
        case let failure as ConsentRecordingFailure:
            return Problem(failure)
        case let failure as OrderFailure:
            return Problem(failure)
        case StoreError.duplicate(let field):
            return .conflict("duplicate", "Another record already has this \(field).")
        case let decodingError as DecodingError:
            return problem(for: decodingError)
        case is NIOTooManyBytesError:
            return Problem(status: .contentTooLarge, type: "content-too-large", detail: "The request body is too large.")
        case is SubjectBusy:
            return Problem(
                status: .serviceUnavailable, type: "subject-busy",
                detail: "A transfer of this subject's data to a recipient is in flight; try again in a few seconds.", headers: [.retryAfter: "5"])
        case is DatabaseUnavailable:
            logger.warning("database did not answer in time")
            return .serviceUnavailable
        case let psqlError as PSQLError
            where [PostgresError.Code.lockNotAvailable.raw, PostgresError.Code.queryCanceled.raw].contains(psqlError.serverInfo?[.sqlState]):
            // A lock or statement timeout: the database is busy with this data, not broken.
            logger.warning("database busy", metadata: ["sqlstate": "\(psqlError.serverInfo?[.sqlState] ?? "")"])
            return .serviceUnavailable
        case let psqlError as PSQLError where psqlError.serverInfo == nil:
            logger.warning("database unavailable", metadata: ["error.code": "\(psqlError.code)"])
            return .serviceUnavailable
        case let psqlError as PSQLError:
            logger.error("database error", metadata: [
                "sqlstate": "\(psqlError.serverInfo?[.sqlState] ?? "")",
                "constraint": "\(psqlError.serverInfo?[.constraintName] ?? "")",
            ])
            return .internalError
        default:
            // The type only: an error's description may quote input.
            logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            return .internalError
        }
    }

    private static func problem(for serverError: ServerError, logger: Logger) -> Problem {
        let underlying = serverError.underlyingError
        if underlying is Problem || underlying is ValidationFailure || underlying is StoreError || underlying is ConsentRecordingFailure
            || underlying is OrderFailure || underlying is SubjectBusy
            || underlying is DecodingError || underlying is PSQLError || underlying is DatabaseUnavailable {
            return problem(for: underlying, logger: logger)
        }
        let status = serverError.httpStatus
        guard (400..<500).contains(status.code) else {
            return problem(for: underlying, logger: logger)
        }
        let detail = String(serverError.causeDescription.prefix(300))
        switch status {
        case .unsupportedMediaType:
            return Problem(status: status, type: "unsupported-media-type", detail: "Send the body as application/json. \(detail)")
        default:
            return Problem(status: status, type: "bad-request", detail: detail)
        }
    }

    /// Malformed JSON is a 400; well-formed JSON with a missing, mistyped or unknown field is a 422 naming it.
    /// The decoder's own messages are not passed on: they can quote the rejected value.
    private static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.isEmpty,
             .valueNotFound(_, let context) where context.codingPath.isEmpty:
            // Only parameters decode at the root; body fields always have a path.
            return .badRequest("A path or query parameter has a value of the wrong type.")
        case .keyNotFound(let key, let context):
            return .validation([FieldError(field: path(context.codingPath + [key]), message: "is required")])
        case .typeMismatch(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), message: "must be of type \(jsonTypeName(type))")])
        case .valueNotFound(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), message: "must be a non-null \(jsonTypeName(type))")])
        case .dataCorrupted(let context) where context.debugDescription.contains("not valid JSON"):
            return .badRequest("The request body is not valid JSON.")
        case .dataCorrupted(let context) where context.debugDescription == FlexibleISO8601DateTranscoder.invalidDateTime:
            // Only body members are date-times (no parameter is), and the transcoder is not told which member it reads.
            return .validation([FieldError(field: "body", message: "holds a date-time that is not RFC 3339, such as 2026-03-02T10:00:00Z")])
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .badRequest("A path, query or header parameter has an invalid value.")
        case .dataCorrupted(let context) where context.debugDescription.hasPrefix("Failed to convert"):
            // The URI decoder's wording: a path or query parameter, not a body field.
            return .badRequest("The \(path(context.codingPath)) parameter has an invalid value.")
        case .dataCorrupted(let context):
            let isUnknownKey = context.debugDescription.contains("Additional properties are disabled")
            return .validation([FieldError(
                field: path(context.codingPath),
                message: isUnknownKey ? "contains properties that are not in the schema" : "has an invalid value")])
        @unknown default:
            return .badRequest("The request body could not be read.")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Int64.Type, is Int32.Type: "integer"
        case is Double.Type: "number"
        case is Bool.Type: "boolean"
        default: "object"
        }
    }
}
