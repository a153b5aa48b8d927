import CustodianQueue
import Foundation

/// Send a privacy-center verification code to the subject's address through the e-mail provider.
public enum VerificationCodeJob: JobKind {
    /// The verification's id only: the code is derived from it when the job runs, the address read then.
    public struct Payload: Codable, Sendable, Equatable {
        public let verificationID: UUID

        enum CodingKeys: String, CodingKey {
            case verificationID = "verification_id"
        }

        public init(verificationID: UUID) {
            self.verificationID = verificationID
        }

        /// Ids as PostgreSQL writes them (lowercase), so a payload reads the same whoever wrote it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(verificationID.uuidString.lowercased(), forKey: .verificationID)
        }
    }

    public static let name = "verification_code"
    /// A code lives 10 minutes: a few quick retries, then the customer asks again.
    public static let maximumAttempts = 5
    public static let defaultConcurrency = 8
}
