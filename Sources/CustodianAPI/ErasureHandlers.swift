import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func startErasureCascade(_ input: Operations.StartErasureCascade.Input) async throws -> Operations.StartErasureCascade.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        do {
            let cascade = try await ErasureCascadeRepository(database: database)
                .start(subjectID: subjectID, regulation: try body.regulation.mapped(), actor: RequestScope.actor)
            return .accepted(.init(body: .json(try .init(cascade))))
        } catch let failure as ErasureCascadeFailure {
            throw Problem(failure)
        }
    }

    func getErasureCascade(_ input: Operations.GetErasureCascade.Input) async throws -> Operations.GetErasureCascade.Output {
        let subjectID = try uuid(input.path.subjectId, parameter: "subject_id")
        do {
            guard let cascade = try await ErasureCascadeRepository(database: database).latest(subjectID: subjectID) else {
                throw Problem(type: .noErasureCascade, detail: "No erasure cascade was started for this subject.")
            }
            return .ok(.init(body: .json(try .init(cascade))))
        } catch let failure as ErasureCascadeFailure {
            throw Problem(failure)
        }
    }

    /// Verifies a recipient's Standard Webhooks signature over the raw body with the secret of the recipient the
    /// request went to, then records the status once per webhook id.
    func receiveErasureCallback(_ input: Operations.ReceiveErasureCallback.Input) async throws -> Operations.ReceiveErasureCallback.Output {
        guard case .json(let body) = input.body, let rawBody = RequestScope.signedBody else { throw Problem.badRequest("Send a JSON body.") }
        guard let requestID = UUID(uuidString: body.subjectRequestId) else {
            throw Problem.validation([FieldError(field: "subject_request_id", message: "must be a UUID")])
        }
        let callbacks = ErasureCallbackRepository(database: database)
        guard let signer = try await callbacks.signer(requestID: requestID) else { throw Problem.notFound("erasure request") }
        guard let secret = StandardWebhooksSecret(signer.signingSecret) else { throw EnumMismatch(value: "recipients.signing_secret") }
        do {
            try secret.verify(
                id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp, signatures: input.headers.webhookSignature, body: rawBody)
        } catch {
            throw Problem.invalidSignature(error)
        }
        _ = try await callbacks.record(ErasureCallback(
            requestID: requestID, recipientID: signer.recipientID, webhookID: input.headers.webhookId,
            requestStatus: body.requestStatus.rawValue, expectedCompletionAt: body.expectedCompletionTime))
        return .noContent(.init())
    }
}

extension Problem {
    init(_ failure: ErasureCascadeFailure) {
        switch failure {
        case .subjectNotFound:
            self = .notFound("subject")
        case .alreadyInProgress(let id):
            self = .conflict(.erasureCascadeInProgress, "Erasure cascade \(id.lowercasedString) of this subject is still in progress.")
        }
    }

    static func invalidSignature(_ rejection: StandardWebhooksSecret.Rejection) -> Problem {
        let detail = switch rejection {
        case .malformedHeaders: "The webhook-id or webhook-timestamp header is malformed."
        case .timestampOutOfTolerance: "The webhook-timestamp is more than 5 minutes away from the server's clock."
        case .signatureMismatch: "No webhook-signature matches the body with the recipient's signing secret."
        }
        return Problem(type: .invalidSignature, detail: detail, headers: [.wwwAuthenticate: "Webhook-Signature"])
    }
}

extension Components.Schemas.ErasureCascade {
    init(_ record: ErasureCascadeRecord) throws {
        self.init(
            id: record.id.lowercasedString, subjectId: record.subjectID.lowercasedString, regulation: try record.regulation.mapped(),
            status: try record.status.mapped(), createdAt: record.createdAt,
            requests: try record.requests.map { request in
                Components.Schemas.ErasureRequest(
                    id: request.id.lowercasedString, recipient: request.recipientCode, status: try request.status.mapped(),
                    jobId: request.jobID, failureReason: request.failureReason, expectedCompletionAt: request.expectedCompletionAt,
                    sentAt: request.sentAt, completedAt: request.completedAt)
            })
    }
}
