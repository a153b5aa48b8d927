/// Compares secrets (CSRF tokens, codes, signatures, password hashes) in time that depends on their length only, not
/// on where they first differ.
public enum ConstantTime {
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        a.count == b.count && zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
