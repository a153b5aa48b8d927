/// Maps between the generated API enums and the domain enums, which share raw values by construction.
struct EnumMismatch: Error {
    let value: String
}

extension RawRepresentable where RawValue == String {
    /// The case of `Other` with the same raw value; a mismatch is a programming error (500).
    func mapped<Other: RawRepresentable>(to _: Other.Type = Other.self) throws -> Other where Other.RawValue == String {
        guard let other = Other(rawValue: rawValue) else { throw EnumMismatch(value: rawValue) }
        return other
    }
}
