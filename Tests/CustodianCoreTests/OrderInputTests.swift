import CustodianCore
import Testing

@Suite("Orders: money and status rules")
struct OrderInputTests {
    let delivery = DeliveryBlock(
        recipientName: "Anna Ivanova", phone: "8 916 111-22-33", addressLines: ["ул. Ленина, 1", "кв. 2"], city: "Москва",
        postalCode: "101000", country: "ru")

    @Test("the total must be the exact sum of quantity × unit price in minor units")
    func totals() throws {
        let items = [OrderItem(sku: "A", name: "Tea", quantity: 3, unitPriceMinor: 19_990), OrderItem(sku: "B", name: "Cup", quantity: 1, unitPriceMinor: 50_000)]
        let order = try NewOrder(externalRef: "SO-1", items: items, totalMinor: 109_970, currency: "RUB", delivery: delivery)
        #expect(order.delivery.phone == "+79161112233")
        #expect(order.delivery.country == "RU")
        #expect(throws: ValidationFailure.self) {
            try NewOrder(externalRef: "SO-1", items: items, totalMinor: 109_971, currency: "RUB", delivery: delivery)
        }
    }

    @Test("overflowing amounts are refused, not wrapped")
    func overflow() {
        let items = [OrderItem(sku: "A", name: "Gold", quantity: 1_000_000, unitPriceMinor: Int64.max / 10)]
        do {
            _ = try NewOrder(externalRef: "SO-2", items: items, totalMinor: 0, currency: "RUB", delivery: delivery)
            Issue.record("accepted an overflowing order")
        } catch {
            #expect(error.errors.contains(FieldError(field: "items", message: "amounts are too large")))
        }
    }

    @Test("every invalid field is named")
    func fields() {
        let bad = DeliveryBlock(recipientName: "", phone: "nope", addressLines: [], city: "", postalCode: nil, country: "XX")
        do {
            _ = try NewOrder(externalRef: "", items: [OrderItem(sku: "", name: "x", quantity: 0, unitPriceMinor: -1)], totalMinor: 0, currency: "rub", delivery: bad)
            Issue.record("accepted an invalid order")
        } catch {
            #expect(Set(error.errors.map(\.field)) == [
                "external_ref", "items.0.sku", "items.0.quantity", "items.0.unit_price_minor", "currency",
                "delivery.recipient_name", "delivery.phone", "delivery.address_lines", "delivery.city", "delivery.country",
            ])
        }
    }

    @Test("status moves forward only; delivered and cancelled are final")
    func transitions() {
        #expect(OrderStatus.placed.canMove(to: .paid))
        #expect(OrderStatus.placed.canMove(to: .cancelled))
        #expect(OrderStatus.paid.canMove(to: .shipped))
        #expect(OrderStatus.paid.canMove(to: .cancelled))
        #expect(OrderStatus.shipped.canMove(to: .delivered))
        #expect(!OrderStatus.shipped.canMove(to: .cancelled))
        #expect(!OrderStatus.placed.canMove(to: .shipped))
        #expect(!OrderStatus.paid.canMove(to: .placed))
        #expect(OrderStatus.delivered.allowedNext.isEmpty)
        #expect(OrderStatus.cancelled.allowedNext.isEmpty)
    }
}
