import CustodianCore
import HTTPTypes

/// Every problem `type` the API answers with: the last segment of its URI (`/problems/<raw value>`, under
/// `CUSTODIAN_PUBLIC_URL` when set), the status it comes with, a title, and what it means and what to do — the
/// catalogue served as pages at those URIs. A problem without a type (`about:blank`) is an HTTP error the status alone
/// explains.
public enum ProblemType: String, CaseIterable, Sendable {
    case unauthorized
    case forbidden
    case notFound = "not-found"
    case noSuchRoute = "no-such-route"
    case methodNotAllowed = "method-not-allowed"
    case badRequest = "bad-request"
    case validationFailed = "validation-failed"
    case contentTooLarge = "content-too-large"
    case unsupportedMediaType = "unsupported-media-type"
    case rateLimited = "rate-limited"
    case serviceUnavailable = "service-unavailable"
    case internalError = "internal-error"
    case duplicate
    case idempotencyKeyReused = "idempotency-key-reused"
    case idempotencyKeyInProgress = "idempotency-key-in-progress"
    case subjectRestricted = "subject-restricted"
    case subjectErased = "subject-erased"
    case subjectBusy = "subject-busy"
    case notConsentBased = "not-consent-based"
    case purposeRetired = "purpose-retired"
    case purposeInUse = "purpose-in-use"
    case invalidTransition = "invalid-transition"
    case orderNotShippable = "order-not-shippable"
    case subjectRequestNotReceived = "subject-request-not-received"
    case subjectRequestClosed = "subject-request-closed"
    case noCorrections = "no-corrections"
    case notLiftable = "not-liftable"
    case claimIsAnswered = "claim-is-answered"
    case notAClaim = "not-a-claim"
    case extensionNotAllowed = "extension-not-allowed"
    case alreadyExtended = "already-extended"
    case extensionTooLate = "extension-too-late"
    case notAnAccessRequest = "not-an-access-request"
    case exportNotReady = "export-not-ready"
    case noErasureCascade = "no-erasure-cascade"
    case erasureCascadeInProgress = "erasure-cascade-in-progress"
    case invalidSignature = "invalid-signature"
    case taskNotOpen = "task-not-open"
    case disclosureRefused = "disclosure-refused"
    case jobState = "job-state"
    case unsubscribeNotConfigured = "unsubscribe-not-configured"
    case receiptsNotConfigured = "receipts-not-configured"

    /// The type refusing a change because the subject is not active.
    static func subjectNotActive(_ status: SubjectStatus) -> ProblemType {
        status == .restricted ? .subjectRestricted : .subjectErased
    }

    /// The status the problem comes with.
    public var status: HTTPResponse.Status {
        switch self {
        case .unauthorized, .invalidSignature: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .noSuchRoute, .noErasureCascade: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .badRequest: .badRequest
        case .validationFailed, .idempotencyKeyReused, .notConsentBased, .purposeRetired: .unprocessableContent
        case .contentTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .rateLimited: .tooManyRequests
        case .serviceUnavailable, .subjectBusy, .unsubscribeNotConfigured, .receiptsNotConfigured: .serviceUnavailable
        case .internalError: .internalServerError
        default: .conflict
        }
    }

    /// A short title.
    public var title: String {
        switch self {
        case .unauthorized: "No valid API key"
        case .forbidden: "The key's scope does not allow this"
        case .notFound: "No such resource"
        case .noSuchRoute: "No such route"
        case .methodNotAllowed: "Method not allowed here"
        case .badRequest: "Malformed request"
        case .validationFailed: "Validation failed"
        case .contentTooLarge: "Body too large"
        case .unsupportedMediaType: "Body is not JSON"
        case .rateLimited: "Rate limit reached"
        case .serviceUnavailable: "Database unavailable"
        case .internalError: "Internal error"
        case .duplicate: "Already taken"
        case .idempotencyKeyReused: "Idempotency-Key used with another request"
        case .idempotencyKeyInProgress: "Idempotency-Key still in progress"
        case .subjectRestricted: "The subject's data are blocked"
        case .subjectErased: "The subject was erased"
        case .subjectBusy: "The subject is being changed"
        case .notConsentBased: "The purpose is not based on consent"
        case .purposeRetired: "The purpose is retired"
        case .purposeInUse: "The purpose is in use"
        case .invalidTransition: "Order status cannot change so"
        case .orderNotShippable: "The order cannot be shipped"
        case .subjectRequestNotReceived: "The request is not open"
        case .subjectRequestClosed: "The request is closed"
        case .noCorrections: "No corrections to apply"
        case .notLiftable: "Nothing to lift"
        case .claimIsAnswered: "A claim is answered, not fulfilled"
        case .notAClaim: "Not a claim"
        case .extensionNotAllowed: "No extension for this request"
        case .alreadyExtended: "Already extended"
        case .extensionTooLate: "Too late to extend"
        case .notAnAccessRequest: "Not an access request"
        case .exportNotReady: "Export not ready"
        case .noErasureCascade: "No erasure cascade"
        case .erasureCascadeInProgress: "Erasure cascade in progress"
        case .invalidSignature: "Invalid signature"
        case .taskNotOpen: "The task is not open"
        case .disclosureRefused: "Disclosure refused"
        case .jobState: "The job's state does not allow this"
        case .unsubscribeNotConfigured: "Unsubscribe links not configured"
        case .receiptsNotConfigured: "Receipts not configured"
        }
    }

    /// What happened and what to do.
    public var explanation: String {
        switch self {
        case .unauthorized:
            "The Authorization header is missing, malformed, or names a key that is unknown or revoked. Send `Authorization: Bearer <key>` with a key from `custodian keys create`."
        case .forbidden:
            "The key is valid, but its scope (shop or dpo) does not allow this operation; the detail names the scope needed. Listing every subject without a filter is a dpo act."
        case .notFound:
            "Nothing with this id exists (or it is not visible to this key). Check the id; ids are UUIDs the API returned."
        case .noSuchRoute:
            "No resource lives at this path. The paths are listed in openapi.yaml."
        case .methodNotAllowed:
            "The resource exists but does not support this method; the Allow header lists those it does."
        case .badRequest:
            "The request could not be read: malformed JSON, a parameter of the wrong type, or a NUL character in the path or query."
        case .validationFailed:
            "One or more members are invalid; `errors` lists each with a message. Nothing was changed. Lengths count Unicode code points."
        case .contentTooLarge:
            "The body exceeds the configured limit (CUSTODIAN_MAX_BODY_BYTES, 1 MiB by default)."
        case .unsupportedMediaType:
            "Send the body as `application/json`."
        case .rateLimited:
            "This key made more requests than its per-process rate limit allows. Retry after `Retry-After` seconds."
        case .serviceUnavailable:
            "The database cannot be reached or is overloaded. Nothing was changed; retry after `Retry-After` seconds."
        case .internalError:
            "The server failed; it logged the error with the request's X-Request-Id. Report that id."
        case .duplicate:
            "A unique value (an e-mail, an external_ref, a code, a label) already belongs to another record; the detail names it."
        case .idempotencyKeyReused:
            "This Idempotency-Key was used within 24 hours with a different request (method, path or body). Use a new key for a new request."
        case .idempotencyKeyInProgress:
            "A request with this Idempotency-Key is still being processed. Retry after it finishes to get its answer."
        case .subjectRestricted:
            "The subject's data are blocked while a request about them is verified (152-FZ Art. 21, GDPR Art. 18): a shop key can neither read nor change them until it is lifted, fulfilled, denied or cancelled. The subject's own withdrawals are still accepted."
        case .subjectErased:
            "The subject's personal data were destroyed on request or at the end of retention; they cannot be written again. Register a new subject if the customer returns."
        case .subjectBusy:
            "Another change to this subject's data is being made (an erasure or a block, for example). Retry after `Retry-After` seconds."
        case .notConsentBased:
            "Consent events are recorded only for purposes whose legal basis is consent."
        case .purposeRetired:
            "The purpose is retired and takes no new grants; withdrawals are still recorded."
        case .purposeInUse:
            "Consent events refer to this purpose, so it cannot be deleted; retire it instead (PATCH with retired: true)."
        case .invalidTransition:
            "An order's status moves only forward (placed, paid, shipped, delivered; or cancelled); the detail lists the allowed next statuses."
        case .orderNotShippable:
            "Only an order that is placed or paid can be handed to a courier."
        case .subjectRequestNotReceived:
            "Only a received request can be fulfilled; the detail names the status it has."
        case .subjectRequestClosed:
            "The request's status does not allow this change now (it is already completed, denied, cancelled or answered, for example)."
        case .noCorrections:
            "The rectification request holds no corrections; register a new one with them."
        case .notLiftable:
            "Only a completed restriction that is still in force can be lifted."
        case .claimIsAnswered:
            "A pre-trial claim is answered (POST …/answer), not fulfilled."
        case .notAClaim:
            "Only a claim is answered; other requests are fulfilled or denied."
        case .extensionNotAllowed:
            "The law allows no extension for this kind of request."
        case .alreadyExtended:
            "A request is extended once."
        case .extensionTooLate:
            "The extension must be made before the original due date."
        case .notAnAccessRequest:
            "Only an access request has an export."
        case .exportNotReady:
            "The export exists once the access request is fulfilled."
        case .noErasureCascade:
            "No erasure cascade was started for this subject."
        case .erasureCascadeInProgress:
            "The cascade is still running; wait for it to finish."
        case .invalidSignature:
            "The callback's Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) does not verify with the recipient's secret, or its timestamp is too old."
        case .taskNotOpen:
            "The manual task is already closed; the detail names its status."
        case .disclosureRefused:
            "The message would disclose data the rules forbid now (the detail says which rule); nothing was recorded."
        case .jobState:
            "The job's state does not allow this command; the detail lists the states that do."
        case .unsubscribeNotConfigured:
            "The server has no CUSTODIAN_UNSUBSCRIBE_KEY, so it cannot issue unsubscribe links. An operator must set it."
        case .receiptsNotConfigured:
            "The server has no receipt signing key, so it cannot issue consent receipts. An operator must set it."
        }
    }
}
