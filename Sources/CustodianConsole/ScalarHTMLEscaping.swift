import Mustache

/// HTML escaping by Unicode scalar, registered as the Mustache content type `SAFE_HTML` that every console and portal
/// template names (`{{% CONTENT_TYPE: SAFE_HTML}}`). swift-mustache 2.1.1's own HTML escaping compares whole
/// `Character`s, so a `<` or `"` fused into one grapheme cluster with its neighbour (after U+0600, before U+0301) passed through raw.
public struct ScalarHTMLEscaping: MustacheContentType {
    public static let name = "SAFE_HTML"

    public init() {}

    public func escapeText(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        escaped.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
