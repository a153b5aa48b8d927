/// An order line as the statements that aggregate lines with `json_build_object` write it (the courier's parcel, the
/// export's orders).
struct OrderLineJSON: Codable {
    let sku: String
    let name: String
    let quantity: Int
    let unitPriceMinor: Int64

    enum CodingKeys: String, CodingKey {
        case sku, name, quantity
        case unitPriceMinor = "unit_price_minor"
    }
}
