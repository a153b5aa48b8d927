/// Where an order is in its life, and which moves are allowed.
public enum OrderStatus: String, Sendable, CaseIterable, Codable {
    case placed
    case paid
    case shipped
    case delivered
    case cancelled

    /// placed → paid → shipped → delivered; placed or paid → cancelled. Delivered and cancelled are final.
    public var allowedNext: Set<OrderStatus> {
        switch self {
        case .placed: [.paid, .cancelled]
        case .paid: [.shipped, .cancelled]
        case .shipped: [.delivered]
        case .delivered, .cancelled: []
        }
    }

    public func canMove(to next: OrderStatus) -> Bool {
        allowedNext.contains(next)
    }
}
