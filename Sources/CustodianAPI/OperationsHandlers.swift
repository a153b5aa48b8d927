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

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        var buffer: [UInt8] = []
        metrics.emit(into: &buffer)
        return .ok(.init(body: .plainText(HTTPBody(buffer))))
    }

    func getOpenAPISpec(_ input: Operations.GetOpenAPISpec.Input) async throws -> Operations.GetOpenAPISpec.Output {
        .ok(.init(body: .yaml(HTTPBody(embeddedOpenAPIDocument))))
    }
}
