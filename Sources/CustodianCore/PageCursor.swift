import Foundation

/// An opaque pagination cursor: the sort key of the last item of a page, base64url-encoded with a version tag.
public enum PageCursor {
    private static let version = "v1:"

    /// Encodes the last item's key.
    public static func encode(_ key: String) -> String {
        Data((version + key).utf8).base64URLEncodedString()
    }

    /// Decodes a cursor made by ``encode(_:)``; nil when it was not.
    public static func decode(_ cursor: String) -> String? {
        guard cursor.utf8.count <= 200,
              let data = Data(base64URLEncoded: cursor),
              let text = String(data: data, encoding: .utf8),
              text.hasPrefix(version)
        else { return nil }
        return String(text.dropFirst(version.count))
    }
}
