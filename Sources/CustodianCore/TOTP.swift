import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) as authenticator apps make them: HMAC-SHA1 over the number of 30-second
/// steps since the Unix epoch, dynamically truncated (RFC 4226) to 6 digits; a code of the step before or after is
/// accepted for clock skew.
public struct TOTP: Sendable, Equatable {
    public static let stepSeconds: Int64 = 30
    public static let digits = 6

    /// The shared secret: 20 random bytes, as RFC 4226 recommends.
    public let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A new random secret.
    public static func generate() -> TOTP {
        TOTP(secret: (0..<20).map { _ in UInt8.random(in: 0...255) })
    }

    /// The step `date` falls in.
    public static func step(at date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down)) / stepSeconds
    }

    /// The code of `step`, `digits` long (RFC 6238's test vectors use 8).
    public func code(step: Int64, digits: Int = TOTP.digits) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step whose code `code` is, within one step of `date`; nil when it is none of them. The caller refuses a
    /// step it has already accepted, so a code works once.
    public func matchingStep(of code: String, at date: Date) -> Int64? {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == Self.digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let now = Self.step(at: date)
        return [now, now - 1, now + 1].first { self.code(step: $0) == typed }
    }

    /// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
    public var base32Secret: String {
        Base32.encode(secret)
    }

    /// The `otpauth://` URI an authenticator app reads (usually from a QR code).
    public func provisioningURI(issuer: String, account: String) -> String {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = "totp"
        components.path = "/\(issuer):\(account)"
        components.queryItems = [
            URLQueryItem(name: "secret", value: base32Secret), URLQueryItem(name: "issuer", value: issuer),
            URLQueryItem(name: "algorithm", value: "SHA1"), URLQueryItem(name: "digits", value: String(Self.digits)),
            URLQueryItem(name: "period", value: String(Self.stepSeconds)),
        ]
        return components.string ?? ""
    }
}

/// Base32 (RFC 4648) without padding.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 0x1f)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1f)]) }
        return output
    }

    /// The bytes of base32 text (any case, no padding); nil when a character is outside the alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased() where character != "=" {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}

extension TOTP {
    /// The TOTP whose secret is `base32Secret` (as ``base32Secret`` wrote it); nil unless it decodes to 20 bytes.
    public init?(base32Secret: String) {
        guard let secret = Base32.decode(base32Secret), secret.count == 20 else { return nil }
        self.init(secret: secret)
    }
}
