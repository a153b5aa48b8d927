import CustodianCore
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Refuses JSON bodies with an explicit `null` or a NUL character in a string anywhere (422 naming the member): no
/// request field of the API is nullable, the generated decoder would otherwise read `null` as an absent optional and
/// silently apply the rest, and PostgreSQL text cannot hold NUL. A NUL (`%00`) in the path or query is 400. Callbacks
/// from recipients are exempt from the body check (their extra members are allowed and ignored).
struct NullRejectionMiddleware: ServerMiddleware {
    let maximumBodySize: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if request.path?.range(of: "%00", options: .caseInsensitive) != nil {
            throw Problem.badRequest("The path or query contains a NUL character (%00).")
        }
        // Every body, whatever its Content-Type says: the generated decoder reads JSON also without one.
        guard let body, !SignedBodyCaptureMiddleware.signedOperations.contains(operationID) else {
            return try await next(request, body, metadata)
        }
        let bytes = try await [UInt8](collecting: body, upTo: maximumBodySize)
        // A NUL can only be written \u0000 in JSON; checked on the raw text too, so a duplicate key cannot hide it.
        if Self.containsEscapedNUL(bytes) {
            throw Problem.validation([FieldError(field: "body", message: "must not contain NUL characters (\\u0000)")])
        }
        if let json = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]), let path = Self.firstNull(in: json, at: "") {
            throw Problem.validation([FieldError(field: path.isEmpty ? "body" : path, message: "must not be null (omit it) or contain NUL characters")])
        }
        return try await next(request, HTTPBody(bytes), metadata)
    }

    /// Whether JSON text holds the escape `\u0000` (any case): a backslash that is not itself escaped, then `u0000`.
    /// (`\\u0000`, an escaped backslash before the text `u0000`, is no NUL.)
    static func containsEscapedNUL(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            let escape = bytes[(index + 1)...].prefix(5)
            if escape.count == 5, escape.first.map({ $0 | 0x20 }) == UInt8(ascii: "u"), escape.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") }) {
                return true
            }
            index += 2
        }
        return false
    }

    /// The dotted path of the first `null`, or string with a NUL character, in `value`; nil when there is none.
    static func firstNull(in value: Any, at path: String) -> String? {
        switch value {
        case is NSNull:
            return path
        case let text as String:
            return text.unicodeScalars.contains("\0") ? path : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstNull(in: object[key] as Any, at: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, at: "\(path).\(index)") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
