/// One invalid input field and why, safe to show the caller: it never repeats the value.
public struct FieldError: Sendable, Equatable, Error {
    /// The field's name (or JSON path) as the caller sent it.
    public let field: String
    /// What is wrong with it.
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// A list of invalid fields, thrown as one error so the caller sees all of them at once.
public struct ValidationFailure: Error, Sendable, Equatable {
    /// Every invalid field, in input order.
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}
