import Foundation

/// What the privacy center offers a verified customer and for how long (issue 23).
public enum PrivacyCenterRules {
    /// An access request's export can be downloaded this long after the request was fulfilled.
    public static let exportAvailability: TimeInterval = 7 * 24 * 3600

    /// Whether the export of an access request completed at `completedAt` can still be downloaded at `now`.
    public static func exportAvailable(completedAt: Date?, now: Date) -> Bool {
        guard let completedAt else { return false }
        return now >= completedAt && now.timeIntervalSince(completedAt) <= exportAvailability
    }

    /// The kinds a customer can file, in the order the page shows them.
    public static let requestKinds: [SubjectRequestKind] = [.access, .rectification, .restriction, .erasure, .objection, .claim]

    /// The user agent kept as consent evidence: at most 1,000 bytes (cut at a character), control characters removed.
    public static func userAgentEvidence(_ raw: String?) -> String? {
        guard let raw else { return nil }
        var kept = ""
        for character in raw where !character.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            guard kept.utf8.count + String(character).utf8.count <= 1000 else { break }
            kept.append(character)
        }
        return kept.isEmpty ? nil : kept
    }
}
