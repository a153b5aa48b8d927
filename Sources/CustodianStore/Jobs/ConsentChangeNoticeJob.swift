import CustodianQueue
import Foundation

/// Tell one recipient that a subject granted or withdrew a purpose it processes for (a `consent.changed` webhook).
public enum ConsentChangeNoticeJob: JobKind {
    /// What a job of this kind carries: the notice's id only; the handler reads the rest when it runs.
    public struct Payload: Codable, Sendable, Equatable {
        public let noticeID: UUID

        enum CodingKeys: String, CodingKey {
            case noticeID = "notice_id"
        }

        public init(noticeID: UUID) {
            self.noticeID = noticeID
        }

        /// Ids as PostgreSQL writes them (lowercase), so a payload reads the same whoever wrote it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(noticeID.uuidString.lowercased(), forKey: .noticeID)
        }
    }

    public static let name = "consent_change_notice"
    public static let maximumAttempts = 20
    public static let defaultConcurrency = 4
}
