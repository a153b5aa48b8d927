import Foundation

/// Changes one member of a JSON body, named by a member path from `OpenAPISpec.stringFields`
/// (`delivery.city`, `items[].name`, `delivery.address_lines[]`); missing objects and arrays are created.
enum BodyMutation {
    static func setting(_ value: Any, at path: String, in body: [String: Any]) -> [String: Any] {
        set(value, components: path.split(separator: ".").map(String.init)[...], in: body)
    }

    /// JSON bytes of `body` with the string `placeholder` replaced by `raw` bytes between the quotes.
    static func encode(_ body: [String: Any], replacing placeholder: String? = nil, with raw: [UInt8] = []) throws -> [UInt8] {
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: body))
        guard let placeholder else { return bytes }
        let needle = [UInt8](placeholder.utf8)
        guard let start = bytes.firstRange(of: needle) else { throw TestFailure("placeholder not in body") }
        return Array(bytes[..<start.lowerBound]) + raw + Array(bytes[start.upperBound...])
    }

    private static func set(_ value: Any, components: ArraySlice<String>, in object: [String: Any]) -> [String: Any] {
        guard let first = components.first else { return object }
        var object = object
        let rest = components.dropFirst()
        if first.hasSuffix("[]") {
            let name = String(first.dropLast(2))
            var array = object[name] as? [Any] ?? []
            if rest.isEmpty {
                if array.isEmpty { array = [value] } else { array[0] = value }
            } else {
                if array.isEmpty { array = [[String: Any]()] }
                array = array.map { set(value, components: rest, in: $0 as? [String: Any] ?? [:]) }
            }
            object[name] = array
        } else if rest.isEmpty {
            object[first] = value
        } else {
            object[first] = set(value, components: rest, in: object[first] as? [String: Any] ?? [:])
        }
        return object
    }
}
