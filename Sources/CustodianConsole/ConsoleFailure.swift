import Hummingbird

/// Why a console request ends in an error page or a redirect instead of its page.
enum ConsoleFailure: Error, Sendable {
    /// No live session: to the login page.
    case loginRequired
    /// The form lacks its session's CSRF token, or came from another origin.
    case forgedForm
    /// The user's role may only look.
    case forbidden
    case notFound
    /// The input cannot be used; the message key says why.
    case badInput(messageKey: String)
    /// The state of the thing does not allow the action; the message key says why.
    case conflict(messageKey: String)

    var status: HTTPResponse.Status {
        switch self {
        case .loginRequired: .seeOther
        case .forgedForm, .forbidden: .forbidden
        case .notFound: .notFound
        case .badInput: .badRequest
        case .conflict: .conflict
        }
    }

    var messageKey: String {
        switch self {
        case .loginRequired: "error_login_required"
        case .forgedForm: "error_forged_form"
        case .forbidden: "error_forbidden"
        case .notFound: "error_not_found"
        case .badInput(let key), .conflict(let key): key
        }
    }
}
