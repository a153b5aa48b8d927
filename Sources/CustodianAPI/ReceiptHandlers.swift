import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func getConsentReceipt(_ input: Operations.GetConsentReceipt.Input) async throws -> Operations.GetConsentReceipt.Output {
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        let settings = configuration.receipts
        guard let key = settings.signingKey else {
            throw Problem(type: .receiptsNotConfigured, detail: "Receipt signing is not configured on this server.",
                          headers: [.retryAfter: Problem.retryAfterConfiguration])
        }
        guard let (locale, granted) = try await ConsentRepository(database: database).grantedPurposes(subjectID: subjectID, actor: RequestScope.actor) else {
            throw Problem.notFound("subject")
        }
        let receipt = ConsentReceipt(
            receiptID: UUID(), subjectID: subjectID, language: locale, jurisdiction: settings.jurisdiction,
            controller: settings.controller, publicKey: key.jwk.x, granted: granted)
        let payload = try JSONEncoder.canonical.encode(receipt)
        let jws = try CompactJWS.sign(payload: payload, key: key.privateKey, keyID: key.jwk.kid)
        let document = try JSONDecoder().decode(Components.Schemas.ConsentReceipt.self, from: payload)
        return .ok(.init(body: .json(.init(receipt: document, jws: jws, kid: key.jwk.kid))))
    }

    func getConsentReceiptKeys(_ input: Operations.GetConsentReceiptKeys.Input) async throws -> Operations.GetConsentReceiptKeys.Output {
        // The current key first, then every key it replaced: receipts signed with them still verify.
        let receipts = configuration.receipts
        let jwks = (receipts.signingKey.map { [$0.jwk] } ?? []) + receipts.previousKeys.filter { $0.kid != receipts.signingKey?.jwk.kid }
        let keys = try jwks.map { try JSONDecoder().decode(Components.Schemas.Jwk.self, from: JSONEncoder.canonical.encode($0)) }
        return .ok(.init(body: .json(.init(keys: keys))))
    }
}
