import Foundation

/// A language the console speaks.
public enum ConsoleLanguage: String, Sendable, CaseIterable {
    case en, ru

    /// The first supported language of an `Accept-Language` header, by quality; English when none is.
    public static func negotiate(acceptLanguage: String?) -> ConsoleLanguage {
        guard let acceptLanguage else { return .en }
        let ranked = acceptLanguage.split(separator: ",").enumerated().compactMap { index, part -> (ConsoleLanguage, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { return nil }
            let primary = String(tag.split(separator: "-").first ?? "")
            guard let language = ConsoleLanguage(rawValue: primary) else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0 ? (language, quality, index) : nil
        }
        return ranked.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.first?.0 ?? .en
    }
}

/// The console's words: one catalogue per language (`Assets/en.json`, `Assets/ru.json`), message key to text.
struct MessageCatalogue: Sendable {
    let messages: [ConsoleLanguage: [String: String]]

    /// The catalogues embedded in the binary.
    static let embedded: MessageCatalogue = {
        var messages: [ConsoleLanguage: [String: String]] = [:]
        for language in ConsoleLanguage.allCases {
            guard let text = embeddedConsoleAssets["\(language.rawValue).json"],
                  let catalogue = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
            else { fatalError("the console's \(language.rawValue).json catalogue is missing or not a JSON object of strings") }
            messages[language] = catalogue
        }
        return MessageCatalogue(messages: messages)
    }()

    subscript(language: ConsoleLanguage) -> [String: String] {
        messages[language] ?? [:]
    }

    /// One message; its key when the catalogue lacks it (a test keeps the catalogues complete).
    func text(_ key: String, _ language: ConsoleLanguage) -> String {
        messages[language]?[key] ?? key
    }
}
