import Foundation

/// The OpenAPI document the server is generated from, shipped as a resource so `GET /openapi.yaml` serves exactly it.
enum OpenAPIDocument {
    /// The document's bytes; empty only if the resource bundle was not installed beside the executable.
    static let yaml: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { return Data() }
        return (try? Data(contentsOf: url)) ?? Data()
    }()
}
