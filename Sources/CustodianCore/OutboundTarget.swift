import Foundation

/// Where a job sends a request: a recipient's address, credential and signing secret.
public struct OutboundTarget: Sendable {
    public let recipientID: UUID
    public let baseURL: String
    public let apiToken: String?
    public let signingSecret: String

    public init(recipientID: UUID, baseURL: String, apiToken: String?, signingSecret: String) {
        self.recipientID = recipientID
        self.baseURL = baseURL
        self.apiToken = apiToken
        self.signingSecret = signingSecret
    }
}
