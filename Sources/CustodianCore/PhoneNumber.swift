/// Normalises telephone numbers to E.164 (`+` and 8 to 15 digits).
///
/// Accepts the usual separators (spaces, dashes, dots, parentheses), a leading `00` international prefix, and Russian
/// national notation: 11 digits starting with 8 (`8 916 123-45-67`) or 10 digits starting with 9 are read as +7.
public enum PhoneNumber {
    /// The E.164 form, or a message saying what is wrong.
    public static func normalise(_ raw: String) -> Result<String, FieldError> {
        let invalid = FieldError(field: "phone", message: "must be a telephone number in E.164 form such as +79161234567")
        let trimmed = raw.trimmingWhitespace()
        var digits = ""
        var hasPlus = false
        for (index, character) in trimmed.enumerated() {
            switch character {
            case "+" where index == 0: hasPlus = true
            case " ", "-", ".", "(", ")": continue
            case "0"..."9": digits.append(character)
            default: return .failure(invalid)
            }
        }
        if !hasPlus {
            if digits.hasPrefix("00") {
                digits.removeFirst(2)
            } else if digits.count == 11, digits.first == "8" || digits.first == "7" {
                digits = "7" + digits.dropFirst()
            } else if digits.count == 10, digits.first == "9" {
                digits = "7" + digits
            } else {
                return .failure(invalid)
            }
        }
        guard (8...15).contains(digits.count), digits.first != "0" else { return .failure(invalid) }
        return .success("+" + digits)
    }
}
