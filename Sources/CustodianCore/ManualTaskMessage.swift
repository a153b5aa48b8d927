import Foundation

/// The text a manual task asks the DPO to send, rendered from a Russian or English template when the task is read:
/// the operator, what happened, the identities the recipient holds (and nothing else), what the recipient is asked to
/// do, and the task's id as the reference to quote in the answer.
public struct ManualTaskMessage: Sendable, Equatable {
    /// What the message is about.
    public enum Subject: Sendable, Equatable {
        case erasure(regime: RequestRegime)
        /// The corrected categories and their values now.
        case rectification(corrected: [(DataCategory, String)])
        case consentChange(purpose: String, action: ConsentAction, occurredAt: Date)
        case restriction(RestrictionAction)

        public static func == (lhs: Subject, rhs: Subject) -> Bool {
            switch (lhs, rhs) {
            case (.erasure(let a), .erasure(let b)): a == b
            case (.rectification(let a), .rectification(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
            case (.consentChange(let a, let b, let c), .consentChange(let d, let e, let f)): a == d && b == e && c == f
            case (.restriction(let a), .restriction(let b)): a == b
            default: false
            }
        }
    }

    public let title: String
    public let body: String

    public init(subject: Subject, language: TaskLanguage, operatorName: String, recipientName: String, identities: [OpenDSRIdentity], taskID: UUID) {
        let reference = taskID.uuidString.lowercased()
        let names = identities.map { "  - \(Self.identityLabel($0.identityType, language)): \($0.identityValue)" }.joined(separator: "\n")
        switch (subject, language) {
        case (.erasure(let regime), .ru):
            title = "Требование об уничтожении персональных данных"
            body = """
                \(recipientName), добрый день.

                \(operatorName) как оператор персональных данных требует уничтожить персональные данные субъекта, \
                переданные вам, и прекратить их обработку (\(Self.provision(regime, .ru))). Субъект известен вам как:
                \(names)

                Просим подтвердить уничтожение ответным письмом, указав ссылку \(reference).

                \(operatorName)
                """
        case (.erasure(let regime), .en):
            title = "Request to erase personal data"
            body = """
                Dear \(recipientName),

                \(operatorName), the controller, asks you to erase the personal data of the data subject that you received \
                from us and to stop processing it (\(Self.provision(regime, .en))). You know the subject as:
                \(names)

                Please confirm the erasure in your reply, quoting the reference \(reference).

                \(operatorName)
                """
        case (.rectification(let corrected), .ru):
            title = "Уведомление об уточнении персональных данных"
            body = """
                \(recipientName), добрый день.

                По требованию субъекта \(operatorName) уточнил его персональные данные (ст. 21 152-ФЗ). Субъект известен вам как:
                \(names)

                Новые значения:
                \(corrected.map { "  - \(Self.categoryLabel($0.0, .ru)): \($0.1)" }.joined(separator: "\n"))

                Просим внести изменения и подтвердить ответным письмом, указав ссылку \(reference).

                \(operatorName)
                """
        case (.rectification(let corrected), .en):
            title = "Notice of rectified personal data"
            body = """
                Dear \(recipientName),

                At the data subject's request \(operatorName) has rectified their personal data (GDPR Art. 16 and 19). You \
                know the subject as:
                \(names)

                The new values:
                \(corrected.map { "  - \(Self.categoryLabel($0.0, .en)): \($0.1)" }.joined(separator: "\n"))

                Please update your records and confirm in your reply, quoting the reference \(reference).

                \(operatorName)
                """
        case (.restriction(let action), .ru):
            title = action == .restricted ? "Уведомление об ограничении обработки персональных данных" : "Уведомление о снятии ограничения обработки"
            body = """
                \(recipientName), добрый день.

                \(action == .restricted
                    ? "По требованию субъекта \(operatorName) ограничил обработку его персональных данных. Просим до отдельного уведомления только хранить их, не используя (ст. 21 152-ФЗ)."
                    : "\(operatorName) снял ограничение обработки персональных данных субъекта; вы можете снова обрабатывать их для прежних целей.") \
                Субъект известен вам как:
                \(names)

                Просим подтвердить получение ответным письмом, указав ссылку \(reference).

                \(operatorName)
                """
        case (.restriction(let action), .en):
            title = action == .restricted ? "Notice of restricted processing" : "Notice that a restriction is lifted"
            body = """
                Dear \(recipientName),

                \(action == .restricted
                    ? "At the data subject's request \(operatorName) has restricted the processing of their personal data. Until told otherwise, please only store it and do not use it (GDPR Art. 18 and 19)."
                    : "\(operatorName) has lifted the restriction of processing of the data subject's personal data; you may process it again for the purposes it was given for.") \
                You know the subject as:
                \(names)

                Please confirm receipt in your reply, quoting the reference \(reference).

                \(operatorName)
                """
        case (.consentChange(let purpose, let action, let occurredAt), .ru):
            title = action == .grant ? "Субъект дал согласие" : "Субъект отозвал согласие"
            body = """
                \(recipientName), добрый день.

                \(action == .grant ? "Субъект дал согласие на обработку" : "Субъект отозвал согласие на обработку") для цели \
                «\(purpose)» \(RFC3339.string(from: occurredAt)). \(action == .grant ? "Вы можете обрабатывать его данные для этой цели." : "Просим прекратить обработку его данных для этой цели (ч. 5 ст. 21 152-ФЗ).") \
                Субъект известен вам только как:
                \(names)

                Просим подтвердить получение ответным письмом, указав ссылку \(reference).

                \(operatorName)
                """
        case (.consentChange(let purpose, let action, let occurredAt), .en):
            title = action == .grant ? "Consent granted" : "Consent withdrawn"
            body = """
                Dear \(recipientName),

                The data subject \(action == .grant ? "granted" : "withdrew") consent to processing for the purpose \
                "\(purpose)" at \(RFC3339.string(from: occurredAt)). \(action == .grant ? "You may process their data for this purpose." : "Please stop processing their data for this purpose (GDPR Art. 7(3)).") \
                You know the subject only as:
                \(names)

                Please confirm receipt in your reply, quoting the reference \(reference).

                \(operatorName)
                """
        }
    }

    static func provision(_ regime: RequestRegime, _ language: TaskLanguage) -> String {
        switch (regime, language) {
        case (.fz152, .ru): "ст. 21 Федерального закона № 152-ФЗ «О персональных данных»"
        case (.fz152, .en): "Art. 21 of Russian Federal Law No. 152-FZ"
        case (.gdpr, .ru): "ст. 17 и 19 GDPR"
        case (.gdpr, .en): "GDPR Art. 17 and 19"
        }
    }

    static func identityLabel(_ type: String, _ language: TaskLanguage) -> String {
        switch (type, language) {
        case ("email", .ru): "адрес электронной почты"
        case ("phone_number", .ru): "номер телефона"
        case (ErasureIdentityRule.orderReferenceType, .ru): "номер заказа"
        case (ErasureIdentityRule.pseudonymType, .ru): "псевдонимный идентификатор"
        case ("email", .en): "e-mail address"
        case ("phone_number", .en): "phone number"
        case (ErasureIdentityRule.orderReferenceType, .en): "order reference"
        case (ErasureIdentityRule.pseudonymType, .en): "pseudonymous id"
        default: type
        }
    }

    static func categoryLabel(_ category: DataCategory, _ language: TaskLanguage) -> String {
        switch (category, language) {
        case (.fullName, .ru): "ФИО"
        case (.email, .ru): "адрес электронной почты"
        case (.phone, .ru): "телефон"
        case (.registrationAddress, .ru): "адрес регистрации"
        case (.deliveryAddress, .ru): "адрес доставки"
        case (.pseudonymousID, .ru): "псевдонимный идентификатор"
        case (.fullName, .en): "full name"
        case (.email, .en): "e-mail address"
        case (.phone, .en): "phone"
        case (.registrationAddress, .en): "registration address"
        case (.deliveryAddress, .en): "delivery address"
        case (.pseudonymousID, .en): "pseudonymous id"
        }
    }
}
