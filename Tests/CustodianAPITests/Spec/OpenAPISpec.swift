import Foundation
import Yams

/// The root `openapi.yaml`, read as a plain tree, so tests can walk every operation the contract declares.
/// (Unchecked Sendable: the tree is loaded once and never changed.)
struct OpenAPISpec: @unchecked Sendable {
    /// One operation: where it lives, who may call it, and what it takes and returns.
    struct Operation: @unchecked Sendable {
        let id: String
        let method: String
        let pathTemplate: String
        /// The scope of its bearer requirement; nil for `security: []`.
        let scope: String?
        let parameters: [[String: Any]]
        /// The JSON request body's schema, `$ref`s resolved at the top.
        let requestSchema: [String: Any]?
        /// The JSON schema of its first 2xx response, if any.
        let successSchema: [String: Any]?
    }

    let document: [String: Any]

    static func load() throws -> OpenAPISpec {
        let text = try String(contentsOfFile: SpecFile.path, encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else { throw TestFailure("openapi.yaml is not a mapping") }
        return OpenAPISpec(document: document)
    }

    var operations: [Operation] {
        let paths = document["paths"] as? [String: Any] ?? [:]
        let defaultScope = Self.scope(of: document["security"])
        var result: [Operation] = []
        for (template, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard let item = item as? [String: Any] else { continue }
            let shared = (item["parameters"] as? [Any] ?? []).compactMap { resolve($0) }
            for method in ["get", "put", "post", "patch", "delete"] {
                guard let operation = item[method] as? [String: Any], let id = operation["operationId"] as? String else { continue }
                let own = (operation["parameters"] as? [Any] ?? []).compactMap { resolve($0) }
                let scope = operation.keys.contains("security") ? Self.scope(of: operation["security"]) : defaultScope
                result.append(Operation(
                    id: id, method: method.uppercased(), pathTemplate: template, scope: scope, parameters: shared + own,
                    requestSchema: jsonSchema(in: resolve(operation["requestBody"] as Any)),
                    successSchema: successSchema(of: operation)))
            }
        }
        return result
    }

    /// Follows `$ref`s (local ones, without JSON-pointer escapes, as the spec writes them) until it reaches a node that
    /// is not a reference; nil for a reference that leads nowhere or in a circle.
    func resolve(_ node: Any) -> [String: Any]? {
        var current = node as? [String: Any]
        var hops = 0
        while let reference = current?["$ref"] as? String {
            hops += 1
            guard hops <= 16 else { return nil }
            current = reference.split(separator: "/").dropFirst().reduce(document as Any?) { node, key in
                (node as? [String: Any])?[String(key)]
            } as? [String: Any]
        }
        return current
    }

    /// Every `$ref` in the document that `resolve` cannot follow.
    var unresolvedReferences: [String] {
        var found: [String] = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let reference = object["$ref"] as? String, resolve(object) == nil { found.append(reference) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(document)
        return found
    }

    /// A path with every path parameter, and every required query parameter, set to a value of its schema's type;
    /// the parameter called `overridden` (path or query, required or not) gets `value` (already percent-encoded) instead.
    func samplePath(_ operation: Operation, overriding overridden: String? = nil, with value: String = "") -> String {
        var path = operation.pathTemplate
        var query: [String] = []
        for parameter in operation.parameters {
            guard let name = parameter["name"] as? String else { continue }
            let sample = name == overridden ? value : sampleValue(resolve(parameter["schema"] as Any) ?? [:])
            switch parameter["in"] as? String {
            case "path": path = path.replacingOccurrences(of: "{\(name)}", with: sample)
            case "query" where name == overridden || parameter["required"] as? Bool == true: query.append("\(name)=\(sample)")
            default: break
            }
        }
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    /// A string leaf of a request body: its member path (`delivery.city`, `items[].name`, `address_lines[]`) and format.
    struct StringField: Sendable {
        let path: String
        let format: String?
    }

    /// Every string leaf of a schema (the spec has no `oneOf`, `anyOf` or `allOf`; a test checks it).
    func stringFields(of schema: [String: Any], prefix: String = "") -> [StringField] {
        if let properties = schema["properties"] as? [String: Any] {
            return properties.keys.sorted().flatMap { name in
                stringFields(of: resolve(properties[name] as Any) ?? [:], prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
            }
        }
        if Self.types(of: schema).contains("array"), let items = resolve(schema["items"] as Any) {
            return stringFields(of: items, prefix: prefix + "[]")
        }
        return Self.types(of: schema).contains("string") ? [StringField(path: prefix, format: schema["format"] as? String)] : []
    }

    /// The top-level member names a schema declares.
    func propertyNames(of schema: [String: Any]?) -> Set<String> {
        Set((schema?["properties"] as? [String: Any] ?? [:]).keys)
    }

    private func jsonSchema(in body: [String: Any]?) -> [String: Any]? {
        let content = body?["content"] as? [String: Any]
        return (content?["application/json"] as? [String: Any]).flatMap { resolve($0["schema"] as Any) }
    }

    private func successSchema(of operation: [String: Any]) -> [String: Any]? {
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let status = responses.keys.filter({ $0.hasPrefix("2") }).sorted().first else { return nil }
        return jsonSchema(in: resolve(responses[status] as Any))
    }

    private func sampleValue(_ schema: [String: Any]) -> String {
        if let values = schema["enum"] as? [Any], let first = values.first { return "\(first)" }
        let types = Self.types(of: schema)
        if types.contains("integer") { return "1" }
        switch schema["format"] as? String {
        case "uuid": return UUID().uuidString.lowercased()
        case "date": return "2026-05-04"
        default: return "sample"
        }
    }

    private static func types(of schema: [String: Any]) -> [String] {
        if let type = schema["type"] as? String { return [type] }
        return schema["type"] as? [String] ?? []
    }

    private static func scope(of security: Any?) -> String? {
        guard let requirements = security as? [[String: Any]], let first = requirements.first else { return nil }
        return (first["bearerAuth"] as? [String])?.first
    }
}
