import CustodianQueue
import Foundation

/// Ask one recipient to erase a subject's data (OpenDSR 2.0), part of an erasure cascade.
public enum ErasureRequestJob: JobKind {
    /// What a job of this kind carries: ids only; the handler reads the rest when it runs.
    public struct Payload: Codable, Sendable, Equatable {
        public let erasureRequestID: UUID

        enum CodingKeys: String, CodingKey {
            case erasureRequestID = "erasure_request_id"
        }

        public init(erasureRequestID: UUID) {
            self.erasureRequestID = erasureRequestID
        }

        /// Ids as PostgreSQL writes them (lowercase), so a payload reads the same whoever wrote it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(erasureRequestID.uuidString.lowercased(), forKey: .erasureRequestID)
        }
    }

    public static let name = "erasure_request"
    /// 25 attempts span about 16 hours: an erasure request is worth the longest wait.
    public static let maximumAttempts = 25
    public static let defaultConcurrency = 8
}
