import Foundation

/// What an import checks consent events against: the shop's purposes, policy versions and consent texts as stored
/// when the import starts (small tables, read once).
public struct ImportCatalogue: Sendable {
    /// A purpose's facts.
    public struct Purpose: Sendable {
        public let legalBasis: LegalBasis
        public let requiresConsent: Bool
        public let retired: Bool

        public init(legalBasis: LegalBasis, requiresConsent: Bool, retired: Bool) {
            self.legalBasis = legalBasis
            self.requiresConsent = requiresConsent
            self.retired = retired
        }
    }

    /// A policy version's or consent text's id and when it took effect; a text also names its purposes.
    public struct Document: Sendable {
        public let id: UUID
        public let effectiveAt: Date
        public let purposes: Set<String>

        public init(id: UUID, effectiveAt: Date, purposes: Set<String> = []) {
            self.id = id
            self.effectiveAt = effectiveAt
            self.purposes = purposes
        }
    }

    public let purposes: [String: Purpose]
    public let policyVersions: [String: Document]
    public let consentTexts: [String: Document]

    public init(purposes: [String: Purpose], policyVersions: [String: Document], consentTexts: [String: Document]) {
        self.purposes = purposes
        self.policyVersions = policyVersions
        self.consentTexts = consentTexts
    }
}

/// A customer ready to store: the subject, its consent history and its orders, each checked as the API checks them.
public struct ImportedCustomer: Sendable, Equatable {
    /// One consent event, its policy version and consent text resolved.
    public struct ConsentEvent: Sendable, Equatable {
        public let purpose: String
        public let action: ConsentAction
        public let policyVersionID: UUID
        public let consentTextID: UUID?
        public let channel: ConsentChannel
        public let occurredAt: Date
        public let evidence: ConsentEvidence
    }

    /// One order with when it was placed and where it stands.
    public struct Order: Sendable, Equatable {
        public let order: NewOrder
        public let placedAt: Date
        public let status: OrderStatus
    }

    public let subject: NewSubject
    public let consents: [ConsentEvent]
    public let orders: [Order]
}

extension CustomerImportLine {
    /// The customer checked against `catalogue` at `now`: the subject as `POST /v1/subjects` validates it, each consent
    /// event by ``ConsentRules`` for a new, active subject (a withdrawal needs no prior grant: the history may begin
    /// before the shop's records do), each order as `POST /v1/orders` validates it, placed no later than `now`.
    /// Throws a ``ValidationFailure`` listing every invalid member by its path (`consents.1.policy_version`).
    public func validated(against catalogue: ImportCatalogue, now: Date) throws(ValidationFailure) -> ImportedCustomer {
        var errors: [FieldError] = []
        var subject: NewSubject?
        do {
            subject = try NewSubject(
                externalRef: externalRef, fullName: fullName, email: email, phone: phone, registrationAddress: registrationAddress,
                locale: locale, hasAccount: hasAccount)
        } catch {
            errors += error.errors
        }
        var events: [ImportedCustomer.ConsentEvent] = []
        for (index, consent) in consents.enumerated() {
            do {
                events.append(try consent.validated(against: catalogue, now: now))
            } catch {
                errors += error.errors.map { FieldError(field: "consents.\(index).\($0.field)", message: $0.message) }
            }
        }
        var orders: [ImportedCustomer.Order] = []
        var orderRefs: Set<String> = []
        for (index, order) in self.orders.enumerated() {
            do throws(ValidationFailure) {
                if !orderRefs.insert(order.externalRef.trimmingWhitespace()).inserted {
                    throw ValidationFailure([FieldError(field: "external_ref", message: "repeats another order of this customer")])
                }
                orders.append(try order.validated(now: now))
            } catch {
                errors += error.errors.map { FieldError(field: "orders.\(index).\($0.field)", message: $0.message) }
            }
        }
        guard errors.isEmpty, let subject else { throw ValidationFailure(errors) }
        return ImportedCustomer(subject: subject, consents: events, orders: orders)
    }
}

extension CustomerImportLine.Consent {
    func validated(against catalogue: ImportCatalogue, now: Date) throws(ValidationFailure) -> ImportedCustomer.ConsentEvent {
        var errors: [FieldError] = []
        let action = ConsentAction(rawValue: action)
        if action == nil { errors.append(FieldError(field: "action", message: "must be grant or withdraw")) }
        let channel = ConsentChannel(rawValue: channel).flatMap { $0.isRecordedByClients ? $0 : nil }
        if channel == nil {
            let names = ConsentChannel.allCases.filter(\.isRecordedByClients).map(\.rawValue).joined(separator: ", ")
            errors.append(FieldError(field: "channel", message: "must be one of \(names)"))
        }
        let occurredAt = RFC3339.date(from: occurredAt)
        if occurredAt == nil { errors.append(FieldError(field: "occurred_at", message: "must be an RFC 3339 date-time")) }
        let facts = catalogue.purposes[purpose]
        if facts == nil { errors.append(FieldError(field: "purpose", message: "is not a registered purpose")) }
        let policy = catalogue.policyVersions[policyVersion]
        if policy == nil { errors.append(FieldError(field: "policy_version", message: "is not a registered policy version")) }
        let text = consentText.flatMap { catalogue.consentTexts[$0] }
        if consentText != nil, text == nil { errors.append(FieldError(field: "consent_text", message: "is not a registered consent text")) }
        var evidence: ConsentEvidence?
        do {
            evidence = try ConsentEvidence(ipAddress: self.evidence?.ipAddress, userAgent: self.evidence?.userAgent, formID: self.evidence?.formID)
        } catch {
            errors += error.errors
        }
        guard errors.isEmpty, let action, let channel, let occurredAt, let facts, let policy, let evidence else {
            throw ValidationFailure(errors)
        }
        do throws(ConsentRefusal) {
            try ConsentRules.check(
                action: action, purpose: purpose, policyLabel: policyVersion, occurredAt: occurredAt, now: now,
                context: ConsentContext(
                    legalBasis: facts.legalBasis, requiresConsent: facts.requiresConsent, purposeRetired: facts.retired,
                    subjectStatus: .active, policyEffectiveAt: policy.effectiveAt, consentTextsRegistered: !catalogue.consentTexts.isEmpty,
                    consentText: text.map {
                        ConsentTextFacts(label: consentText ?? "", coversPurpose: $0.purposes.contains(purpose), effectiveAt: $0.effectiveAt)
                    }))
        } catch {
            throw ValidationFailure([error.fieldError])
        }
        return ImportedCustomer.ConsentEvent(
            purpose: purpose, action: action, policyVersionID: policy.id, consentTextID: text?.id, channel: channel,
            occurredAt: occurredAt, evidence: evidence)
    }
}

extension CustomerImportLine.Order {
    func validated(now: Date) throws(ValidationFailure) -> ImportedCustomer.Order {
        var errors: [FieldError] = []
        let placedAt = placedAt.map { RFC3339.date(from: $0) } ?? now
        if placedAt == nil {
            errors.append(FieldError(field: "placed_at", message: "must be an RFC 3339 date-time"))
        } else if let placedAt, placedAt.timeIntervalSince(now) > ConsentRules.allowedClockSkew {
            errors.append(FieldError(field: "placed_at", message: "must not lie in the future"))
        }
        let status = status.map { OrderStatus(rawValue: $0) } ?? .placed
        if status == nil {
            errors.append(FieldError(field: "status", message: "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        var order: NewOrder?
        do {
            order = try NewOrder(
                externalRef: externalRef,
                items: items.map { OrderItem(sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPriceMinor: $0.unitPriceMinor) },
                totalMinor: totalMinor, currency: currency,
                delivery: DeliveryBlock(
                    recipientName: delivery.recipientName, phone: delivery.phone, addressLines: delivery.addressLines, city: delivery.city,
                    postalCode: delivery.postalCode, country: delivery.country))
        } catch {
            errors += error.errors
        }
        guard errors.isEmpty, let order, let placedAt, let status else { throw ValidationFailure(errors) }
        return ImportedCustomer.Order(order: order, placedAt: placedAt, status: status)
    }
}

extension ConsentRefusal {
    /// The member a refusal is about and why, as an import reports it.
    var fieldError: FieldError {
        switch self {
        case .notConsentBased(_, let basis):
            FieldError(field: "purpose", message: "is processed on the legal basis \(basis.rawValue), not consent")
        case .purposeRetired: FieldError(field: "purpose", message: "is retired and takes no grants")
        case .subjectNotActive: FieldError(field: "action", message: "is not possible for this subject")
        case .policyNotYetEffective: FieldError(field: "policy_version", message: "was not yet in effect at occurred_at")
        case .occurredInFuture: FieldError(field: "occurred_at", message: "must not lie in the future")
        case .consentTextRequired: FieldError(field: "consent_text", message: "is required for a grant once consent texts are registered")
        case .consentTextDoesNotCover: FieldError(field: "consent_text", message: "does not ask consent for this purpose")
        case .consentTextNotYetEffective: FieldError(field: "consent_text", message: "was not yet in effect at occurred_at")
        }
    }
}
