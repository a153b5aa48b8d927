import CustodianOpenAPI
import OpenAPIRuntime

extension APIHandler {
    func getLiveness(_ input: Operations.GetLiveness.Input) async throws -> Operations.GetLiveness.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        do {
            try await database.ping()
        } catch {
            throw Problem.serviceUnavailable
        }
        return .ok(.init(body: .json(.init(status: .ok))))
    }

    func getOpenAPISpec(_ input: Operations.GetOpenAPISpec.Input) async throws -> Operations.GetOpenAPISpec.Output {
        .ok(.init(body: .yaml(HTTPBody(embeddedOpenAPIDocument))))
    }
}
