import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// Writes a bulk import of existing customers (`custodian import`) in batches: each batch's subjects with their data
/// keys, consent events and current consent states, orders with their items, and one audit row per write (as the API
/// writes them: `subject.create`, `consent.record`, `order.create`, no key or user, the import's request id), in one
/// transaction of two statements. A customer whose `external_ref` is already stored is left as it is, so a re-run
/// imports only what the last one did not. History is recorded, not replayed: no opt-out job and no consent change
/// notice is sent for an imported event (the shop's old system acted on them when they happened).
public struct CustomerImportRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The purposes, policy versions and consent texts as stored now.
    public func catalogue() async throws -> ImportCatalogue {
        let purposes = try await PurposeRepository(database: database).all()
        let policies = try await PolicyVersionRepository(database: database).all()
        let texts = try await ConsentTextRepository(database: database).all()
        return ImportCatalogue(
            purposes: Dictionary(uniqueKeysWithValues: purposes.map {
                ($0.code, ImportCatalogue.Purpose(legalBasis: $0.legalBasis, requiresConsent: $0.requiresConsent, retired: $0.retiredAt != nil))
            }),
            policyVersions: Dictionary(uniqueKeysWithValues: policies.map { ($0.label, ImportCatalogue.Document(id: $0.id, effectiveAt: $0.effectiveAt)) }),
            consentTexts: Dictionary(uniqueKeysWithValues: texts.map {
                ($0.label, ImportCatalogue.Document(id: $0.id, effectiveAt: $0.effectiveAt, purposes: Set($0.purposes)))
            }))
    }

    /// A customer of a batch refused when its batch was written, by its position in the batch.
    public struct Refusal: Sendable, Equatable {
        public let position: Int
        public let error: FieldError
    }

    /// What became of each customer of a batch, by its position in the batch.
    public struct BatchOutcome: Sendable, Equatable {
        public var imported: [Int] = []
        /// Already stored under this `external_ref` (an earlier run): left as it is.
        public var present: [Int] = []
        public var refused: [Refusal] = []
        public var consentEvents = 0
        public var orders = 0
    }

    /// Seals each customer's personal data under a new data key of its own (the CPU work, done before the batch's
    /// transaction so that it can overlap the previous batch's).
    public func prepare(_ customers: [ImportedCustomer]) throws -> PreparedCustomerBatch {
        let keys = try database.requireKeys()
        return PreparedCustomerBatch(try customers.map { try PreparedCustomer($0, keys: keys) })
    }

    /// Writes the batch in one transaction: customers whose `external_ref` is stored are skipped; those with an e-mail
    /// or an order `external_ref` that another subject, or an earlier customer of the batch, holds are refused; the rest
    /// are written. A concurrent write that takes a unique value meanwhile makes the
    /// transaction fail; it is then run again (up to three times) and sees it.
    public func write(_ batch: PreparedCustomerBatch, requestID: String) async throws -> BatchOutcome {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await database.transaction { connection in
                    try await Self.write(batch, requestID: requestID, on: connection, logger: database.logger)
                }
            } catch where attempt < 3 && (DatabaseErrors.translate(error) as? DatabaseFailure)?.isUniqueViolation == true {
                continue
            }
        }
    }

    private static func write(
        _ batch: PreparedCustomerBatch, requestID: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> BatchOutcome {
        let customers = batch.customers
        var storedRefs: Set<String> = []
        var takenEmails: Set<ByteBuffer> = []
        var takenOrderRefs: Set<String> = []
        for try await (ref, email, orderRef) in try await connection.query("""
            SELECT external_ref, NULL::bytea, NULL FROM subjects WHERE external_ref = ANY(\(customers.map(\.externalRef)))
            UNION ALL SELECT NULL, email_index, NULL FROM subjects WHERE email_index = ANY(\(customers.compactMap(\.emailIndex)))
            UNION ALL SELECT NULL, NULL, external_ref FROM orders WHERE external_ref = ANY(\(customers.flatMap { $0.orders.map(\.externalRef) }))
            """, logger: logger).decode((String?, ByteBuffer?, String?).self) {
            if let ref { storedRefs.insert(ref) }
            if let email { takenEmails.insert(email) }
            if let orderRef { takenOrderRefs.insert(orderRef) }
        }
        var outcome = BatchOutcome()
        var written: [PreparedCustomer] = []
        var batchRefs: Set<String> = []
        for (position, customer) in customers.enumerated() {
            if storedRefs.contains(customer.externalRef) {
                outcome.present.append(position)
            } else if batchRefs.contains(customer.externalRef) {
                outcome.refused.append(Refusal(position: position, error: FieldError(field: "external_ref", message: "repeats an earlier customer of the batch")))
            } else if let email = customer.emailIndex, takenEmails.contains(email) {
                outcome.refused.append(Refusal(position: position, error: FieldError(field: "email", message: "belongs to another subject")))
            } else if let index = customer.orders.firstIndex(where: { takenOrderRefs.contains($0.externalRef) }) {
                outcome.refused.append(Refusal(position: position, error: FieldError(field: "orders.\(index).external_ref", message: "belongs to another order")))
            } else {
                batchRefs.insert(customer.externalRef)
                if let email = customer.emailIndex { takenEmails.insert(email) }
                takenOrderRefs.formUnion(customer.orders.map(\.externalRef))
                outcome.imported.append(position)
                outcome.consentEvents += customer.events.count
                outcome.orders += customer.orders.count
                written.append(customer)
            }
        }
        guard !written.isEmpty else { return outcome }
        try await connection.query(insertion(of: written, requestID: requestID), logger: logger)
        return outcome
    }

    /// The one statement that writes `customers` with everything they hold. Arrays cannot hold NULL here, so an empty
    /// string (or empty bytes) stands for an absent value: none of these values can be empty otherwise.
    private static func insertion(of customers: [PreparedCustomer], requestID: String) -> PostgresQuery {
        let events = customers.flatMap { customer in customer.events.map { (customer.id, $0) } }
        let orders = customers.flatMap { customer in customer.orders.map { (customer.id, $0) } }
        let items = orders.flatMap { _, order in order.items.enumerated().map { (order.id, $0 + 1, $1) } }
        let empty = ByteBuffer()
        return """
            WITH data_keys AS (
                INSERT INTO custodian_keys.subject_keys (subject_id, kek_id, wrapped)
                SELECT * FROM unnest(\(customers.map(\.id))::uuid[], \(customers.map(\.kekID))::text[], \(customers.map(\.wrappedKey))::bytea[])
            ), subject_rows AS (
                INSERT INTO subjects (id, external_ref, full_name, email, phone, registration_address, locale, has_account, email_index, phone_index)
                SELECT id, ref, name, NULLIF(email, ''), NULLIF(phone, ''), NULLIF(address, ''), locale, has_account,
                       NULLIF(email_index, ''::bytea), NULLIF(phone_index, ''::bytea)
                FROM unnest(\(customers.map(\.id))::uuid[], \(customers.map(\.externalRef))::text[], \(customers.map(\.fullName))::text[],
                            \(customers.map { $0.email ?? "" })::text[], \(customers.map { $0.phone ?? "" })::text[],
                            \(customers.map { $0.registrationAddress ?? "" })::text[], \(customers.map(\.locale))::text[],
                            \(customers.map(\.hasAccount))::boolean[], \(customers.map { $0.emailIndex ?? empty })::bytea[],
                            \(customers.map { $0.phoneIndex ?? empty })::bytea[])
                     AS s(id, ref, name, email, phone, address, locale, has_account, email_index, phone_index)
            ), events AS (
                INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, ip_address,
                                            user_agent, form_id, request_id, consent_text_id)
                SELECT id, subject_id, purpose, action, policy_version_id, channel, occurred_at, NULLIF(ip, '')::inet,
                       NULLIF(user_agent, ''), NULLIF(form_id, ''), \(requestID), NULLIF(text_id, '')::uuid
                FROM unnest(\(events.map(\.1.id))::uuid[], \(events.map(\.0))::uuid[], \(events.map(\.1.purpose))::text[],
                            \(events.map(\.1.action.rawValue))::text[], \(events.map(\.1.policyVersionID))::uuid[],
                            \(events.map(\.1.channel.rawValue))::text[], \(events.map(\.1.occurredAt))::timestamptz[],
                            \(events.map { $0.1.evidence.ipAddress ?? "" })::text[], \(events.map { $0.1.evidence.userAgent ?? "" })::text[],
                            \(events.map { $0.1.evidence.formID ?? "" })::text[],
                            \(events.map { $0.1.consentTextID?.uuidString ?? "" })::text[])
                     AS e(id, subject_id, purpose, action, policy_version_id, channel, occurred_at, ip, user_agent, form_id, text_id)
                RETURNING id, subject_id, purpose_code, action, occurred_at, recorded_at
            ), states AS (
                INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
                SELECT subject_id, purpose_code, id, action, occurred_at, recorded_at FROM events
                WHERE id = ANY(\(customers.flatMap(\.currentEvents))::uuid[])
            ), order_rows AS (
                INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name, delivery_phone,
                                    delivery_address_lines, delivery_city, delivery_postal_code, delivery_country, placed_at, status_changed_at)
                SELECT id, subject_id, ref, status, currency, total, recipient, phone,
                       ARRAY(SELECT line FROM jsonb_array_elements_text(lines::jsonb) WITH ORDINALITY AS l(line, n) ORDER BY n), city, NULLIF(postal_code, ''), country, placed_at, placed_at
                FROM unnest(\(orders.map(\.1.id))::uuid[], \(orders.map(\.0))::uuid[], \(orders.map(\.1.externalRef))::text[],
                            \(orders.map(\.1.status.rawValue))::text[], \(orders.map(\.1.currency))::text[], \(orders.map(\.1.totalMinor))::bigint[],
                            \(orders.map(\.1.recipientName))::text[], \(orders.map(\.1.phone))::text[], \(orders.map(\.1.addressLines))::text[],
                            \(orders.map(\.1.city))::text[], \(orders.map { $0.1.postalCode ?? "" })::text[], \(orders.map(\.1.country))::text[],
                            \(orders.map(\.1.placedAt))::timestamptz[])
                     AS o(id, subject_id, ref, status, currency, total, recipient, phone, lines, city, postal_code, country, placed_at)
            ), item_rows AS (
                INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price_minor)
                SELECT * FROM unnest(\(items.map(\.0))::uuid[], \(items.map { Int64($0.1) })::bigint[], \(items.map(\.2.sku))::text[],
                                     \(items.map(\.2.name))::text[], \(items.map { Int64($0.2.quantity) })::bigint[],
                                     \(items.map(\.2.unitPriceMinor))::bigint[])
            )
            INSERT INTO audit_log (action, subject_id, request_id)
            SELECT \(SubjectRepository.Action.create), id, \(requestID) FROM unnest(\(customers.map(\.id))::uuid[]) AS s(id)
            UNION ALL SELECT \(ConsentRepository.Action.record), id, \(requestID) FROM unnest(\(events.map(\.0))::uuid[]) AS e(id)
            UNION ALL SELECT \(OrderRepository.Action.create), id, \(requestID) FROM unnest(\(orders.map(\.0))::uuid[]) AS o(id)
            """
    }
}

/// A batch of customers sealed for ``CustomerImportRepository/write(_:requestID:)``.
public struct PreparedCustomerBatch: Sendable {
    let customers: [PreparedCustomer]

    init(_ customers: [PreparedCustomer]) {
        self.customers = customers
    }
}

/// One customer with its new ids, its data key wrapped, and every personal value sealed under that key for its column
/// and row, as ``SubjectRepository/create(_:actor:)`` and ``OrderRepository/create(_:subjectID:actor:)`` seal them.
struct PreparedCustomer: Sendable {
    /// An order, its delivery block sealed; the address lines as a JSON array of sealed lines.
    struct Order: Sendable {
        let id: UUID
        let externalRef: String
        let status: OrderStatus
        let currency: String
        let totalMinor: Int64
        let recipientName: String
        let phone: String
        let addressLines: String
        let city: String
        let postalCode: String?
        let country: String
        let placedAt: Date
        let items: [OrderItem]
    }

    /// A consent event with its new id.
    struct Event: Sendable {
        let id: UUID
        let purpose: String
        let action: ConsentAction
        let policyVersionID: UUID
        let consentTextID: UUID?
        let channel: ConsentChannel
        let occurredAt: Date
        let evidence: ConsentEvidence
    }

    let id: UUID
    let kekID: String
    let wrappedKey: ByteBuffer
    let externalRef: String
    let fullName: String
    let email: String?
    let phone: String?
    let registrationAddress: String?
    let locale: String
    let hasAccount: Bool
    let emailIndex: ByteBuffer?
    let phoneIndex: ByteBuffer?
    let events: [Event]
    /// The event that is each purpose's current state: its latest by `occurred_at`, the later in the file on a tie,
    /// as ``ConsentRepository/record(_:actor:now:)`` decides between events recorded one after another.
    let currentEvents: [UUID]
    let orders: [Order]

    init(_ customer: ImportedCustomer, keys: PersonalDataKeys) throws {
        let id = UUID()
        let key = DataKey()
        let wrapped = keys.wrap(key, owner: SubjectKeys.owner(id))
        let cipher = SubjectCipher(subjectID: id, key: key)
        let subject = customer.subject
        self.id = id
        kekID = wrapped.kekID
        wrappedKey = ByteBuffer(data: wrapped.bytes)
        externalRef = subject.externalRef
        fullName = cipher.seal(subject.fullName, "subjects.full_name") ?? subject.fullName
        email = cipher.seal(subject.email, "subjects.email")
        phone = cipher.seal(subject.phone, "subjects.phone")
        registrationAddress = cipher.seal(subject.registrationAddress, "subjects.registration_address")
        locale = subject.locale
        hasAccount = subject.hasAccount
        emailIndex = subject.email.map { ByteBuffer(data: keys.emailIndex($0)) }
        phoneIndex = subject.phone.map { ByteBuffer(data: keys.phoneIndex($0)) }
        events = customer.consents.map {
            Event(
                id: UUID(), purpose: $0.purpose, action: $0.action, policyVersionID: $0.policyVersionID, consentTextID: $0.consentTextID,
                channel: $0.channel, occurredAt: $0.occurredAt, evidence: $0.evidence)
        }
        var current: [String: Event] = [:]
        for event in events where current[event.purpose].map({ $0.occurredAt <= event.occurredAt }) ?? true {
            current[event.purpose] = event
        }
        currentEvents = current.values.map(\.id)
        orders = try customer.orders.map { imported in
            let orderID = UUID()
            let order = imported.order
            let delivery = StoredDelivery(sealing: order.delivery, with: cipher, order: orderID)
            return Order(
                id: orderID, externalRef: order.externalRef, status: imported.status, currency: order.currency, totalMinor: order.totalMinor,
                recipientName: delivery.recipientName ?? order.delivery.recipientName, phone: delivery.phone ?? order.delivery.phone,
                addressLines: String(decoding: try JSONEncoder().encode(delivery.addressLines ?? order.delivery.addressLines), as: UTF8.self),
                city: delivery.city ?? order.delivery.city, postalCode: delivery.postalCode, country: order.delivery.country,
                placedAt: imported.placedAt, items: order.items)
        }
    }
}
