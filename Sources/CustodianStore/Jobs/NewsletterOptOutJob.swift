import CustodianQueue
import Foundation

/// Suppress the subject's address at the e-mail provider, then confirm the opt-out. Enqueued when `newsletter`
/// consent is withdrawn.
public enum NewsletterOptOutJob: JobKind {
    /// What a job of this kind carries: ids only; the handler reads the rest when it runs.
    public struct Payload: Codable, Sendable, Equatable {
        public let subjectID: UUID
        /// The withdrawal that caused it.
        public let consentEventID: UUID

        enum CodingKeys: String, CodingKey {
            case subjectID = "subject_id"
            case consentEventID = "consent_event_id"
        }

        public init(subjectID: UUID, consentEventID: UUID) {
            self.subjectID = subjectID
            self.consentEventID = consentEventID
        }

        /// Ids as PostgreSQL writes them (lowercase), so a payload reads the same whoever wrote it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(subjectID.uuidString.lowercased(), forKey: .subjectID)
            try container.encode(consentEventID.uuidString.lowercased(), forKey: .consentEventID)
        }
    }

    public static let name = "newsletter_opt_out"
    /// With the default retry policy (5 s doubling, capped at 1 h), 20 attempts span about 11 hours.
    public static let maximumAttempts = 20
    public static let defaultConcurrency = 8
}
