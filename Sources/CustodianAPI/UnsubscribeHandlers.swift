import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func getUnsubscribeLink(_ input: Operations.GetUnsubscribeLink.Input) async throws -> Operations.GetUnsubscribeLink.Output {
        let id = try uuid(input.path.subjectId, parameter: "subject_id")
        let purposeCode = input.query.purpose
        try Self.checkLengths([("purpose", purposeCode, 64)])
        guard let status = try await SubjectRepository(database: database).status(of: id) else { throw Problem.notFound("subject") }
        guard status != .erased else {
            throw Problem.conflict(.subjectErased, "The subject's data was destroyed; there is nothing to unsubscribe.")
        }
        guard let purpose = try await PurposeRepository(database: database).find(code: purposeCode), purpose.legalBasis == .consent else {
            throw Problem.validation([FieldError(field: "purpose", message: "must be a consent-based purpose")])
        }
        guard let keys = configuration.portal.unsubscribeKeys else {
            throw Problem(type: .unsubscribeNotConfigured, title: "Unsubscribe links are not configured",
                          detail: "Set CUSTODIAN_UNSUBSCRIBE_KEY to issue links.", headers: [.retryAfter: Problem.retryAfterConfiguration])
        }
        let base = configuration.publicBaseURL.hasSuffix("/") ? String(configuration.publicBaseURL.dropLast()) : configuration.publicBaseURL
        let url = base + "/u/" + keys.issue(subjectID: id, purpose: purpose.code)
        return .ok(.init(body: .json(.init(
            url: url, purpose: purpose.code, listUnsubscribe: ListUnsubscribeHeaders.value(for: url),
            listUnsubscribePost: ListUnsubscribeHeaders.postValue))))
    }
}
