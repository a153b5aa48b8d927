import CustodianCore
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// What an explicit `null` means in a JSON body, and the characters no body may hold.
///
/// On an optional member `null` means absent, as generated clients send it for an unset field; the generated decoder
/// reads it so. On a PATCH, `null` clears a member that may be cleared (``clearable``) and is refused (422) on any
/// other member, where omitting it is the way to keep it. Three optional members refuse `null` (``notNullable``): the
/// spec names their enums by reference, and the generator cannot make a reference nullable. A body that is `null`
/// itself is 422. A NUL character in a
/// string is 422 (PostgreSQL text cannot hold it) and in the path or query 400. Callbacks from recipients are exempt
/// from the body checks (their extra members are allowed and ignored).
struct BodyHygieneMiddleware: ServerMiddleware {
    let maximumBodySize: Int

    /// The members each PATCH may clear with `null`; the handler reads them from ``RequestScope/clearedMembers``.
    static let clearable: [String: Set<String>] = [
        "updateSubject": ["email", "phone", "registration_address"],
        "updatePurpose": ["description"],
        "updateOrder": [],
        "updateRecipient": [],
    ]

    /// Optional members of POST bodies on which `null` is refused, as the spec declares them not nullable.
    static let notNullable: [String: Set<String>] = [
        "createSubjectRequest": ["ground"],
        "createRecipient": ["delivery_mode", "language"],
    ]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if let path = request.path, Self.containsEncodedNUL(path.utf8) {
            throw Problem.badRequest("The path or query contains a NUL character (%00).")
        }
        // Every body, whatever its Content-Type says: the generated decoder reads JSON also without one.
        guard let body, !SignedBodyCaptureMiddleware.signedOperations.contains(operationID) else {
            return try await next(request, body, metadata)
        }
        let bytes = try await [UInt8](collecting: body, upTo: maximumBodySize)
        guard !bytes.isEmpty else { return try await next(request, HTTPBody(bytes), metadata) }  // a GET's
        // A NUL can only be written \u0000 in JSON; checked on the raw text too, so a duplicate key cannot hide it.
        if Self.containsEscapedNUL(bytes) {
            throw Problem.validation([FieldError(field: "body", message: "must not contain NUL characters (\\u0000)")])
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return try await next(request, HTTPBody(bytes), metadata)  // the decoder answers what is wrong with it
        }
        if json is NSNull { throw Problem.validation([FieldError(field: "body", message: "must be a JSON object, not null")]) }
        if let path = Self.firstNUL(in: json, at: "") {
            throw Problem.validation([FieldError(field: path, message: "must not contain NUL characters")])
        }
        guard let object = json as? [String: Any] else { return try await next(request, HTTPBody(bytes), metadata) }
        let nulled = Set(object.filter { $0.value is NSNull }.keys)
        if let refused = Self.notNullable[operationID]?.intersection(nulled), !refused.isEmpty {
            throw Problem.validation(refused.sorted().map { FieldError(field: $0, message: "must not be null (omit it)") })
        }
        guard let clearable = Self.clearable[operationID] else { return try await next(request, HTTPBody(bytes), metadata) }
        let refused = nulled.subtracting(clearable).sorted()
        if !refused.isEmpty {
            throw Problem.validation(refused.map { FieldError(field: $0, message: "cannot be cleared; omit it to keep it") })
        }
        return try await RequestScope.$clearedMembers.withValue(nulled) {
            try await next(request, HTTPBody(bytes), metadata)
        }
    }

    /// Whether a path or query holds `%00`, the percent-encoded NUL.
    static func containsEncodedNUL(_ text: String.UTF8View) -> Bool {
        var zeros = 0
        var afterPercent = false
        for byte in text {
            if byte == UInt8(ascii: "%") {
                (afterPercent, zeros) = (true, 0)
            } else if afterPercent, byte == UInt8(ascii: "0") {
                zeros += 1
                if zeros == 2 { return true }
            } else {
                (afterPercent, zeros) = (false, 0)
            }
        }
        return false
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

    /// The dotted path of the first string with a NUL character in `value` (member names included); nil when there is none.
    static func firstNUL(in value: Any, at path: String) -> String? {
        switch value {
        case let text as String:
            return text.unicodeScalars.contains("\0") ? (path.isEmpty ? "body" : path) : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                let member = path.isEmpty ? key : "\(path).\(key)"
                if key.unicodeScalars.contains("\0") { return path.isEmpty ? "body" : path }
                if let found = firstNUL(in: object[key] as Any, at: member) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNUL(in: element, at: "\(path.isEmpty ? "body" : path).\(index)") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
