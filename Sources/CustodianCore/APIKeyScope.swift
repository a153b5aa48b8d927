/// What an API key may do: `shop` creates and reads subjects (and later consents and orders), `dpo` may do everything.
public enum APIKeyScope: String, Sendable, CaseIterable, Codable {
    case shop
    case dpo

    /// Whether a key of this scope may call an operation that requires `required`.
    public func permits(_ required: APIKeyScope) -> Bool {
        switch (self, required) {
        case (.dpo, _): true
        case (.shop, .shop): true
        case (.shop, .dpo): false
        }
    }
}
