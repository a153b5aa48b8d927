import CustodianCore

/// The scope each operation needs, mirroring the `security` requirements in `openapi.yaml` (a test checks that they
/// agree). An operation not listed needs `dpo`, so a new operation is closed until it is classified.
enum OperationScopes {
    /// Operations anyone may call without a key.
    static let publicOperations: Set<String> = ["getLiveness", "getReadiness", "getOpenAPISpec", "getConsentReceiptKeys",
        // Signed by the recipient with Standard Webhooks instead of an API key.
        "receiveErasureCallback",
    ]

    /// Operations a `shop` key may call; every other authenticated one is `dpo`-only.
    static let shopOperations: Set<String> = [
        "createSubject", "listSubjects", "getSubject", "updateSubject", "getUnsubscribeLink",
        "recordConsentEvent", "getConsentEvent", "getConsents", "getConsentReceipt", "listPurposes", "getPurpose", "listPolicyVersions", "getPolicyVersion",
        "listConsentTexts", "getConsentText",
        "createOrder", "getOrder", "updateOrder", "listSubjectOrders", "createShipment", "listShipments", "getShipment",
    ]

    /// The scope needed for `operationID`, or nil when it is public.
    static func required(for operationID: String) -> APIKeyScope? {
        if publicOperations.contains(operationID) { return nil }
        return shopOperations.contains(operationID) ? .shop : .dpo
    }
}
