import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func listConsentTexts(_ input: Operations.ListConsentTexts.Input) async throws -> Operations.ListConsentTexts.Output {
        let texts = try await ConsentTextRepository(database: database).all()
        return .ok(.init(body: .json(.init(items: texts.map(Components.Schemas.ConsentText.init)))))
    }

    func createConsentText(_ input: Operations.CreateConsentText.Input) async throws -> Operations.CreateConsentText.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let text = try NewConsentText(
            label: body.label, url: body.url, textSHA256: body.textSha256, effectiveAt: body.effectiveAt, purposes: body.purposes)
        let record = try await ConsentTextRepository(database: database).create(text, actor: RequestScope.actor)
        return .created(.init(headers: .init(location: "/v1/consent-texts/\(record.id.lowercasedString)"), body: .json(.init(record))))
    }

    func getConsentText(_ input: Operations.GetConsentText.Input) async throws -> Operations.GetConsentText.Output {
        let id = try uuid(input.path.textId, parameter: "text_id")
        guard let record = try await ConsentTextRepository(database: database).find(id: id) else { throw Problem.notFound("consent text") }
        return .ok(.init(body: .json(.init(record))))
    }
}

extension Components.Schemas.ConsentText {
    init(_ record: ConsentTextRecord) {
        self.init(
            id: record.id.lowercasedString, label: record.label, url: record.url, textSha256: record.textSHA256,
            effectiveAt: record.effectiveAt, purposes: record.purposes, createdAt: record.createdAt)
    }
}
