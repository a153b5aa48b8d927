import Foundation
import Synchronization

/// The personal data tests send, found by member name in JSON bodies, so tests can prove it stays out of logs and errors.
public enum PersonalData {
    /// Members of the API's bodies that hold personal data.
    public static let members: Set<String> = [
        "full_name", "email", "phone", "registration_address", "recipient_name", "address_lines", "city", "postal_code", "user_agent",
        "ip_address",
        // A claim's text.
        "text",
    ]

    /// The personal values a JSON value holds, at any depth.
    public static func values(in json: Any) -> [String] {
        members.flatMap { strings(named: $0, in: json) ?? [] }
    }

    /// Every string a JSON value holds under a member called `name`, at any depth (also inside arrays); nil if no member has that name.
    public static func strings(named name: String, in json: Any) -> [String]? {
        var found: [String]?
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                for (key, value) in object {
                    if key == name {
                        found = (found ?? []) + ((value as? String).map { [$0] } ?? (value as? [Any])?.compactMap { $0 as? String } ?? [])
                    }
                    walk(value)
                }
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(json)
        return found
    }

    /// The forms of a value a log could hold: the value itself (if it is long enough to mean something: not a short
    /// number such as a postal code) and, for phone-like values, their last ten digits.
    public static func needles(for value: String) -> [String] {
        let digits = value.filter(\.isASCII).filter(\.isNumber)
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        var needles: [String] = []
        if trimmed.count >= 5, !trimmed.allSatisfy(\.isNumber) { needles.append(trimmed) }
        if digits.count >= 10, digits.count * 2 >= value.count { needles.append(String(digits.suffix(10))) }
        return needles
    }

    /// Where `text` (logs) holds one of `needles` or any e-mail address, described without the value itself.
    public static func findings(in text: String, needles: Set<String>) -> [String] {
        var findings = needles.filter { text.localizedCaseInsensitiveContains($0) }.map { "personal data the test sent (\($0.count) characters)" }
        let decoded = text.replacingOccurrences(of: "%40", with: "@")
        for match in decoded.matches(of: /[\w.%+-]+@[\w-]+(\.[\w-]+)*\.\w{2,}/) {
            findings.append("an e-mail address at offset \(decoded.distance(from: decoded.startIndex, to: match.range.lowerBound))")
        }
        return findings
    }
}

/// The personal values a test sent, collected across its requests.
public final class SentPersonalData: Sendable {
    private let values = Mutex<Set<String>>([])

    public init() {}

    /// Records the personal values of a JSON request body (ignored if it is not JSON).
    public func record(json body: String) {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) else { return }
        let found = PersonalData.values(in: json).flatMap(PersonalData.needles)
        values.withLock { $0.formUnion(found) }
    }

    /// Records the personal values in a URI's query (`?email=…&phone=…`).
    public func record(uri: String) {
        let items = URLComponents(string: uri)?.queryItems ?? []
        let found = items.filter { PersonalData.members.contains($0.name) }.compactMap(\.value).flatMap(PersonalData.needles)
        values.withLock { $0.formUnion(found) }
    }

    public var needles: Set<String> { values.withLock { $0 } }
}
