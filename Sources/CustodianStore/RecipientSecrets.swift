import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// Recipients' API tokens and signing secrets, sealed by the KEK (``PersonalDataKeys/seal(secret:owner:)``), each bound
/// to its recipient and column. Opened only where a request to the recipient is signed or its callback verified.
enum RecipientSecrets {
    static func owner(_ recipientID: UUID, _ column: String) -> String { "recipient/" + recipientID.uuidString.lowercased() + "/" + column }

    /// `secret` sealed for `column` of recipient `recipientID`.
    static func seal(_ secret: String?, _ column: String, recipientID: UUID, keys: PersonalDataKeys) -> String? {
        secret.map { keys.seal(secret: $0, owner: owner(recipientID, column)) }
    }

    /// The secret `stored` in `column` of recipient `recipientID`.
    static func open(_ stored: String, _ column: String, recipientID: UUID, keys: PersonalDataKeys) throws -> String {
        try keys.open(secret: stored, owner: owner(recipientID, column))
    }

    /// Where and how to call the recipient, its secrets opened.
    static func target(
        recipientID: UUID, baseURL: String?, apiToken: String?, signingSecret: String, keys: PersonalDataKeys
    ) throws -> OutboundTarget {
        OutboundTarget(
            recipientID: recipientID, baseURL: baseURL ?? "",
            apiToken: try apiToken.map { try open($0, "api_token", recipientID: recipientID, keys: keys) },
            signingSecret: try open(signingSecret, "signing_secret", recipientID: recipientID, keys: keys))
    }

    /// Reseals, under the current KEK, every secret another KEK sealed and every plain one; returns how many recipients
    /// changed (`custodian kek rotate`, `custodian encrypt-existing`).
    static func resealAll(keys: PersonalDataKeys, database: Database) async throws -> Int {
        try await database.transaction { connection in
            var changed = 0
            for (id, token, secret) in try await connection.query(
                "SELECT id, api_token, signing_secret FROM recipients FOR UPDATE", logger: database.logger
            ).decode((UUID, String?, String).self).reduce(into: [(UUID, String?, String)](), { $0.append($1) }) {
                let newToken = try token.flatMap { try reseal($0, "api_token", recipientID: id, keys: keys) }
                let newSecret = try reseal(secret, "signing_secret", recipientID: id, keys: keys)
                guard newToken != nil || newSecret != nil else { continue }
                try await connection.query("""
                    UPDATE recipients SET api_token = COALESCE(\(newToken), api_token), signing_secret = COALESCE(\(newSecret), signing_secret)
                    WHERE id = \(id)
                    """, logger: database.logger)
                changed += 1
            }
            return changed
        }
    }

    /// `stored` sealed by the current KEK when it is plain or another KEK sealed it; nil when nothing is to change.
    private static func reseal(_ stored: String, _ column: String, recipientID: UUID, keys: PersonalDataKeys) throws -> String? {
        guard !stored.hasPrefix(PersonalDataKeys.secretMarker) else { return try keys.reseal(secret: stored, owner: owner(recipientID, column)) }
        return keys.seal(secret: stored, owner: owner(recipientID, column))
    }
}
