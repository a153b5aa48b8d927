import CustodianCore
import CustodianOpenAPI
import CustodianQueue
import CustodianStore
import Foundation
import HTTPTypes
import Logging
import NIOCore
import OpenAPIRuntime

/// Turns any error into the problem the client sees, logging the ones that are the server's fault: the one place
/// where the store's, the queue's and the database's typed failures become HTTP.
enum ProblemMapping {
    static func problem(for error: any Error, logger: Logger) -> Problem {
        let error = DatabaseErrors.translate(error)
        if let serverError = error as? ServerError { return problem(for: serverError, logger: logger) }
        if let known = knownProblem(for: error, logger: logger) { return known }
        // The type only: an error's description may quote input.
        logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
        return .internalError
    }

    /// The problem for an error of a type the API knows; nil for any other.
    private static func knownProblem(for error: any Error, logger: Logger) -> Problem? {
        switch error {
        case let problem as Problem:
            return problem
        case let failure as ValidationFailure:
            return .validation(failure.errors)
        case let failure as ConsentRecordingFailure:
            return Problem(failure)
        case let failure as OrderFailure:
            return Problem(failure)
        case let refusal as SubjectRequestRefusal:
            return problem(for: refusal)
        case let refusal as SubjectExportRefusal:
            return problem(for: refusal)
        case let refusal as JobCommandRefusal:
            return problem(for: refusal)
        case RectificationFailure.noCorrections:
            return .conflict(.noCorrections, "The request holds no corrections to apply; register a new one with them.")
        case StoreError.duplicate(let field):
            return .conflict(.duplicate, "Another record already has this \(field).")
        case let decodingError as DecodingError:
            return problem(for: decodingError)
        case is NIOTooManyBytesError:
            return Problem(type: .contentTooLarge, detail: "The request body is too large.")
        case is SubjectRestricted:
            return .conflict(
                .subjectRestricted,
                "The subject's data are blocked while a request about them is verified (152-FZ Art. 21): they can be neither read nor changed now. The subject's own withdrawals and objections are still accepted.")
        case is SubjectBusy:
            return Problem(
                type: .subjectBusy,
                detail: "Another change to this subject's data is being made; try again in a few seconds.", headers: [.retryAfter: "5"])
        case let unavailable as DatabaseUnavailable:
            logger.warning("database unavailable", metadata: ["reason": "\(unavailable)"])
            return .serviceUnavailable
        case let busy as DatabaseBusy:
            // A lock or statement timeout: the database is busy with this data, not broken.
            logger.warning("database busy", metadata: ["sqlstate": "\(busy.sqlState)"])
            return .serviceUnavailable
        case let failure as DatabaseFailure:
            logger.error("database error", metadata: ["sqlstate": "\(failure.sqlState)", "constraint": "\(failure.constraint ?? "")"])
            return .internalError
        default:
            return nil
        }
    }

    private static func problem(for refusal: SubjectRequestRefusal) -> Problem {
        switch refusal {
        case .notFound:
            return .notFound("subject request")
        case .notAllowed(let status, command: .fulfil):
            return .conflict(.subjectRequestNotReceived, "The request is \(status.rawValue): only a received request can be fulfilled.")
        case .notAllowed(let status, command: .lift), .notAllowed(let status, command: .deny), .notAllowed(let status, command: .cancel),
             .notAllowed(let status, command: .extend), .notAllowed(let status, command: .answer):
            return .conflict(.subjectRequestClosed, "The request is \(status.rawValue): this change is not allowed now.")
        case .subjectErased:
            return .conflict(.subjectErased, "The subject's data was destroyed: there is nothing left to change.")
        case .notLiftable:
            return .conflict(.notLiftable, "Only a completed restriction that is still in force can be lifted.")
        case .answerInstead:
            return .conflict(.claimIsAnswered, "A claim is not fulfilled: record its answer with POST …/answer.")
        case .notAClaim:
            return .conflict(.notAClaim, "Only a claim is answered; fulfil, deny or cancel other requests.")
        case .extensionRefused(.notExtendable):
            return .conflict(.extensionNotAllowed, "The law allows no extension for this kind of request.")
        case .extensionRefused(.alreadyExtended):
            return .conflict(.alreadyExtended, "The deadline was extended once already.")
        case .extensionRefused(.tooLate(let lastDay)):
            return .conflict(.extensionTooLate, "An extension had to be decided by \(lastDay).")
        case .extensionRefused(.reasonMissing):
            return .validation([FieldError(field: "reason", message: "must be 1 to 2000 characters")])
        }
    }

    private static func problem(for refusal: SubjectExportRefusal) -> Problem {
        switch refusal {
        case .notAccess: .conflict(.notAnAccessRequest, "Only an access request has an export.")
        case .notCompleted: .conflict(.exportNotReady, "The export is available once the access request is fulfilled.")
        }
    }

    private static func problem(for refusal: JobCommandRefusal) -> Problem {
        switch refusal {
        case .notFound:
            return .notFound("job")
        case .wrongState(let state, let command, let allowed):
            let verb = switch command {
            case .retry: "retried"
            case .cancel: "cancelled"
            }
            return .conflict(.jobState, "A \(state.rawValue) job cannot be \(verb); only \(allowed.map(\.rawValue).joined(separator: ", ")) jobs can.")
        }
    }

    private static func problem(for serverError: ServerError, logger: Logger) -> Problem {
        let underlying = DatabaseErrors.translate(serverError.underlyingError)
        if let known = knownProblem(for: underlying, logger: logger) { return known }
        let status = serverError.httpStatus
        guard (400..<500).contains(status.code) else {
            return problem(for: underlying, logger: logger)
        }
        let detail = String(serverError.causeDescription.prefix(300))
        switch status {
        case .unsupportedMediaType:
            return Problem(type: .unsupportedMediaType, detail: "Send the body as application/json. \(detail)")
        case .badRequest:
            return Problem(type: .badRequest, detail: detail)
        default:
            // Another client error of the generated layer: its status explains it (about:blank).
            return Problem(status: status, detail: detail)
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
