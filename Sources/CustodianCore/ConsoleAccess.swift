import Foundation

/// What a console user may do.
public enum ConsoleRole: String, Sendable, CaseIterable, Codable {
    /// Works requests, cascades and the queue; must enrol a second factor (TOTP).
    case dpo
    /// Sees and never acts.
    case viewer

    /// Whether the role must log in with a TOTP code.
    public var requiresSecondFactor: Bool {
        switch self {
        case .dpo: true
        case .viewer: false
        }
    }
}

/// How long a console session lives: 30 minutes without a request ends it, and 12 hours after login whatever happens
/// (OWASP session management).
public enum ConsoleSessionPolicy {
    public static let idleTimeout: TimeInterval = 30 * 60
    public static let absoluteTimeout: TimeInterval = 12 * 3600
    /// How long a one-time enrolment link stays valid.
    public static let enrolmentValidity: TimeInterval = 24 * 3600

    public static func isAlive(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) < idleTimeout && now.timeIntervalSince(createdAt) < absoluteTimeout
    }
}

/// When failed logins stop further attempts for a while: 5 failures for one account, or 20 from one client address,
/// within 15 minutes. Counting both stops guessing one account from many addresses and many accounts from one.
public enum LoginThrottle {
    public static let window: TimeInterval = 15 * 60
    public static let perAccount = 5
    public static let perAddress = 20

    public static func isThrottled(accountFailures: Int, addressFailures: Int) -> Bool {
        accountFailures >= perAccount || addressFailures >= perAddress
    }
}

/// A console password: at least 12 characters (with a second factor for every acting user), at most 256.
public enum ConsolePasswordRule {
    public static let minimumLength = 12
    public static let maximumLength = 256

    public static func isAcceptable(_ password: String) -> Bool {
        (minimumLength...maximumLength).contains(password.count)
    }
}
