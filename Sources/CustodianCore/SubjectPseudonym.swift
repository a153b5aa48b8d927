import Crypto
import Foundation

/// The pseudonymous subject id one recipient knows a subject by: HMAC-SHA-256 of the subject's id under that
/// recipient's own key, in hex. Stable for a recipient, different between recipients (two recipients cannot link
/// their records), and not reversible without the key, which never leaves Custodian.
public enum SubjectPseudonym {
    public static func make(subjectID: UUID, recipientKey: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Data(("subject:" + subjectID.uuidString.lowercased()).utf8), using: SymmetricKey(data: recipientKey))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
