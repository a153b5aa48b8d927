import CustodianCore
import CustodianOpenAPI
import CustodianStore

extension APIHandler {
    func listRecipients(_ input: Operations.ListRecipients.Input) async throws -> Operations.ListRecipients.Output {
        let recipients = try await RecipientRepository(database: database).all()
        return .ok(.init(body: .json(.init(items: try recipients.map(Components.Schemas.Recipient.init)))))
    }

    func createRecipient(_ input: Operations.CreateRecipient.Input) async throws -> Operations.CreateRecipient.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let recipient = try NewRecipient(
            code: body.code, name: body.name, kind: body.kind.mapped(), baseURL: body.baseUrl, apiToken: body.apiToken,
            signingSecret: body.signingSecret, country: body.country, countryAdequate: body.countryAdequate,
            dataCategories: (body.dataCategories ?? []).map { try $0.mapped() }, policy: configuration.outboundPolicy,
            deliveryMode: try body.deliveryMode?.mapped() ?? .api, contact: body.contact, language: try body.language?.mapped() ?? .ru)
        let record = try await RecipientRepository(database: database).create(recipient, actor: RequestScope.actor)
        return .created(.init(
            headers: .init(location: "/v1/recipients/\(record.id.lowercasedString)"),
            body: .json(.init(recipient: try .init(record), signingSecret: recipient.signingSecret.text))))
    }

    func getRecipient(_ input: Operations.GetRecipient.Input) async throws -> Operations.GetRecipient.Output {
        let id = try uuid(input.path.recipientId, parameter: "recipient_id")
        guard let record = try await RecipientRepository(database: database).find(id: id) else { throw Problem.notFound("recipient") }
        return .ok(.init(body: .json(try .init(record))))
    }

    func updateRecipient(_ input: Operations.UpdateRecipient.Input) async throws -> Operations.UpdateRecipient.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let id = try uuid(input.path.recipientId, parameter: "recipient_id")
        let changes = try RecipientChanges(
            name: body.name, baseURL: body.baseUrl, apiToken: body.apiToken, country: body.country, countryAdequate: body.countryAdequate,
            dataCategories: body.dataCategories?.map { try $0.mapped() }, active: body.active, policy: configuration.outboundPolicy,
            contact: body.contact, language: try body.language?.mapped(), deliveryMode: try body.deliveryMode?.mapped())
        guard let record = try await RecipientRepository(database: database).update(id: id, changes: changes, actor: RequestScope.actor) else {
            throw Problem.notFound("recipient")
        }
        return .ok(.init(body: .json(try .init(record))))
    }
}

extension Components.Schemas.Recipient {
    init(_ record: RecipientRecord) throws {
        self.init(
            id: record.id.lowercasedString, code: record.code, name: record.name, kind: try record.kind.mapped(), baseUrl: record.baseURL,
            hasApiToken: record.hasAPIToken, country: record.country, countryAdequate: record.countryAdequate,
            dataCategories: try record.dataCategories.map { try $0.mapped() }, active: record.active,
            deliveryMode: try record.deliveryMode.mapped(), contact: record.contact,
            language: try record.language.mapped(), createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}
