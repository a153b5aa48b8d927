import CustodianDatabase

/// Failures of the store that callers act on. Messages name columns and constraints, never values.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// A unique constraint rejected the write; `field` names the input field it guards.
    case duplicate(field: String)
    /// A statement that always returns a row returned none.
    case unexpectedlyEmpty
    /// A stored value outside its domain (a broken invariant).
    case unexpectedValue(column: String)
    /// Personal data was to be sealed or opened through a pool made without keys (a one-shot command's).
    case noPersonalDataKeys

    public var description: String {
        switch self {
        case .duplicate(let field): "another record already has this \(field)"
        case .unexpectedlyEmpty: "the database returned no row where one was expected"
        case .unexpectedValue(let column): "unexpected stored value in \(column)"
        case .noPersonalDataKeys: "no key-encryption key is configured for personal data (CUSTODIAN_KEK_FILE or CUSTODIAN_KEK)"
        }
    }

    /// Maps a unique violation on one of `constraints` (constraint name → field) to ``duplicate(field:)``.
    static func mapUniqueViolation(_ error: any Error, _ constraints: [String: String]) -> any Error {
        guard let failure = DatabaseErrors.translate(error) as? DatabaseFailure, failure.isUniqueViolation,
              let constraint = failure.constraint, let field = constraints[constraint]
        else { return error }
        return StoreError.duplicate(field: field)
    }
}
