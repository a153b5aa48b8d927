import Foundation

/// What a notice job carries — a rectification notice, a consent change notice: the notice's id only; the handler
/// reads the rest when it runs.
public struct NoticeJobPayload: Codable, Sendable, Equatable {
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
