import Foundation

/// How Custodian reaches a recipient: over its API, or — a vendor with no API — through the DPO, who is given a task
/// with the text to send and closes it with evidence (issue 22, part 3).
public enum DeliveryMode: String, Sendable, CaseIterable, Codable {
    case api
    case manual

    /// Couriers and e-mail providers receive deliveries (shipments, suppressions, confirmations) that only an API can
    /// take; a manual recipient is told only of erasures, rectifications and consent changes.
    public static func allows(_ mode: DeliveryMode, kind: RecipientKind) -> Bool {
        mode == .api || kind == .analytics || kind == .other
    }

    /// What a recipient with this mode lacks: an API recipient its base URL, a manual one a contact, and a courier or
    /// e-mail provider cannot be manual.
    public static func problems(_ mode: DeliveryMode, kind: RecipientKind, hasBaseURL: Bool, hasContact: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if mode == .api, !hasBaseURL {
            errors.append(FieldError(field: "base_url", message: "is required unless delivery_mode is manual"))
        }
        if !allows(mode, kind: kind) {
            errors.append(FieldError(field: "delivery_mode", message: "manual is for analytics and other recipients; couriers and e-mail providers need an API"))
        }
        if mode == .manual, !hasContact {
            errors.append(FieldError(field: "contact", message: "is required for a manual recipient: how the DPO reaches it"))
        }
        return errors
    }
}

/// The language a manual recipient is written to in.
public enum TaskLanguage: String, Sendable, CaseIterable, Codable {
    case ru
    case en
}

/// What a manual task asks the DPO to tell the recipient.
public enum ManualTaskKind: String, Sendable, CaseIterable, Codable {
    case erasureRequest = "erasure_request"
    case rectificationNotice = "rectification_notice"
    case consentChange = "consent_change"
    case restrictionNotice = "restriction_notice"
}

/// What a restriction notice says: processing restricted (GDPR Art. 18), or the restriction lifted.
public enum RestrictionAction: String, Sendable, CaseIterable, Codable {
    case restricted
    case lifted
}

/// How the DPO sent a task's message.
public enum TaskMethod: String, Sendable, CaseIterable, Codable {
    case email
    case post
    case phone
    case portal
    case other
}

/// The evidence that closes a manual task: who sent the message, when, how, and the reference to find it again.
public struct ManualTaskEvidence: Sendable, Equatable {
    public let performedBy: String
    public let performedAt: Date
    public let method: TaskMethod
    public let reference: String
    public let note: String?

    /// Validates every field at once: texts trimmed, non-empty and bounded, without control characters (a note may
    /// have line breaks); the moment not in the future (a minute's clock skew allowed) nor before the task existed.
    public init(
        performedBy: String, performedAt: Date, method: TaskMethod, reference: String, note: String?, taskCreatedAt: Date, now: Date
    ) throws(ValidationFailure) {
        var errors: [FieldError] = []
        func text(_ raw: String, _ field: String, max: Int, newlines: Bool) -> String {
            let value = raw.trimmingWhitespace()
            if value.isEmpty || value.unicodeScalars.count > max {
                errors.append(FieldError(field: field, message: "must be 1 to \(max) characters"))
            } else if value.unicodeScalars.contains(where: { ($0.value < 0x20 && !(newlines && ($0 == "\n" || $0 == "\r" || $0 == "\t"))) || (0x7F...0x9F).contains($0.value) }) {
                errors.append(FieldError(field: field, message: "must not contain control characters"))
            }
            return value
        }
        self.performedBy = text(performedBy, "performed_by", max: 200, newlines: false)
        self.reference = text(reference, "reference", max: 200, newlines: false)
        self.note = note.map { text($0, "note", max: 2000, newlines: true) }
        if performedAt > now.addingTimeInterval(60) {
            errors.append(FieldError(field: "performed_at", message: "must not be in the future"))
        } else if performedAt < taskCreatedAt.addingTimeInterval(-60) {
            errors.append(FieldError(field: "performed_at", message: "must not be before the task was created"))
        }
        self.performedAt = performedAt
        self.method = method
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
