import HTTPTypes

/// Why a privacy-center request is answered with a message page instead of what it asked for.
enum PortalFailure: Error, Sendable {
    /// No live session: back to the sign-in page.
    case signInRequired
    /// The form did not come from the site, or lacks its CSRF token.
    case forgedForm
    case badInput(messageKey: String)
    /// Too many requests from the client or for the address: try again in `retryAfter` seconds.
    case tooMany(retryAfter: Int)
    case notFound
    /// The request conflicts with the data's state (an export not ready, a choice the rules refuse).
    case conflict(messageKey: String)
    /// Gone: an export past its availability.
    case gone
    /// The operator has not configured what the page needs.
    case unavailable

    var status: HTTPResponse.Status {
        switch self {
        case .signInRequired: .seeOther
        case .forgedForm: .forbidden
        case .badInput: .badRequest
        case .tooMany: .tooManyRequests
        case .notFound: .notFound
        case .conflict: .conflict
        case .gone: .gone
        case .unavailable: .serviceUnavailable
        }
    }

    var messageKey: String {
        switch self {
        case .signInRequired: "privacy_sign_in_required"
        case .forgedForm: "privacy_forged_form"
        case .badInput(let key), .conflict(let key): key
        case .tooMany: "privacy_too_many"
        case .notFound: "privacy_not_found"
        case .gone: "privacy_export_expired"
        case .unavailable: "privacy_unavailable"
        }
    }
}
