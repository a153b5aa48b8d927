/// The operator (the shop, the data controller) as its destruction acts name it (RKN Order No. 179 of 28 Oct 2022):
/// name and address, the person responsible for the processing, who answers for the automatic destruction, and the
/// processor acting on the operator's behalf, if any. From the `CUSTODIAN_CONTROLLER_*` settings.
public struct OperatorIdentity: Sendable, Equatable {
    public let name: String
    public let address: String
    public let responsibleName: String
    public let responsiblePosition: String
    public let processor: String?

    /// Each required value trimmed and non-empty, else a ``ValidationFailure`` naming the missing settings.
    public init(name: String, address: String, responsibleName: String, responsiblePosition: String, processor: String?) throws(ValidationFailure) {
        let required = [("name", name), ("address", address), ("responsible_name", responsibleName), ("responsible_position", responsiblePosition)]
        let missing = required.filter { $0.1.trimmingWhitespace().isEmpty }.map { FieldError(field: $0.0, message: "is required") }
        guard missing.isEmpty else { throw ValidationFailure(missing) }
        self.name = name.trimmingWhitespace()
        self.address = address.trimmingWhitespace()
        self.responsibleName = responsibleName.trimmingWhitespace()
        self.responsiblePosition = responsiblePosition.trimmingWhitespace()
        self.processor = processor?.trimmingWhitespace().isEmpty == false ? processor?.trimmingWhitespace() : nil
    }
}
