import Foundation
import Synchronization

/// The personal data tests send, found by member name in JSON bodies, so tests can prove it stays out of logs and errors.
public enum PersonalData {
    /// Members of the API's bodies that hold personal data.
    public static let members: Set<String> = [
        "full_name", "email", "phone", "registration_address", "recipient_name", "address_lines", "city", "postal_code", "user_agent",
        "ip_address",
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

    /// The forms of a value a log could hold: the value itself and, for phone-like values, its last ten digits.
    public static func needles(for value: String) -> [String] {
        let digits = value.filter(\.isASCII).filter(\.isNumber)
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        var needles = trimmed.count >= 5 ? [trimmed] : []
        if digits.count >= 10, digits.count * 2 >= value.count { needles.append(String(digits.suffix(10))) }
        return needles
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

    public var needles: Set<String> { values.withLock { $0 } }
}
