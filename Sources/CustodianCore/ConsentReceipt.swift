import Foundation

/// A consent receipt with the fields of the Kantara Initiative Consent Receipt Specification v1.1, listing the
/// purposes a subject currently consents to.
public struct ConsentReceipt: Codable, Sendable, Equatable {
    public let version: String
    public let jurisdiction: String
    /// Unix seconds of the latest grant among the listed purposes.
    public let consentTimestamp: Int64
    public let collectionMethod: String
    public let consentReceiptID: String
    /// base64url of the controller's Ed25519 public key that signs the receipt.
    public let publicKey: String
    public let language: String
    /// The subject's id in Custodian (never a name or address).
    public let piiPrincipalId: String
    public let piiControllers: [Controller]
    public let policyUrl: String
    public let services: [Service]
    public let sensitive: Bool
    public let spiCat: [String]

    /// The organisation responsible for the data (the shop).
    public struct Controller: Codable, Sendable, Equatable {
        public let piiController: String
        public let contact: String
        public let address: String
        public let email: String
        public let phone: String
        public let piiControllerUrl: String

        public init(piiController: String, contact: String, address: String, email: String, phone: String, piiControllerUrl: String) {
            self.piiController = piiController
            self.contact = contact
            self.address = address
            self.email = email
            self.phone = phone
            self.piiControllerUrl = piiControllerUrl
        }
    }

    /// A service of the controller and the purposes consented to for it.
    public struct Service: Codable, Sendable, Equatable {
        public let service: String
        public let purposes: [Purpose]
    }

    /// One consented purpose.
    public struct Purpose: Codable, Sendable, Equatable {
        public let purpose: String
        public let purposeCategory: [String]
        public let consentType: String
        public let piiCategory: [String]
        public let primaryPurpose: Bool
        public let termination: String
        public let thirdPartyDisclosure: Bool
        public let thirdPartyName: String
        /// The consent text the customer was shown for this purpose (152-FZ Art. 9); absent for a grant recorded
        /// before the shop registered consent texts. An extension of the Kantara fields.
        public let consentText: ConsentTextReference?
    }

    /// One granted purpose as input.
    public struct GrantedPurpose: Sendable {
        public let code: String
        public let title: String
        public let dataCategories: [DataCategory]
        public let recipientKinds: [RecipientKind]
        public let retentionDays: Int
        public let grantedAt: Date
        public let channel: ConsentChannel
        public let policyURL: String
        public let consentText: ConsentTextReference?

        public init(
            code: String, title: String, dataCategories: [DataCategory], recipientKinds: [RecipientKind], retentionDays: Int,
            grantedAt: Date, channel: ConsentChannel, policyURL: String, consentText: ConsentTextReference?
        ) {
            self.code = code
            self.title = title
            self.dataCategories = dataCategories
            self.recipientKinds = recipientKinds
            self.retentionDays = retentionDays
            self.grantedAt = grantedAt
            self.channel = channel
            self.policyURL = policyURL
            self.consentText = consentText
        }
    }

    public static let specificationVersion = "KI-CR-v1.1.0"

    /// What happens when the consent ends, as the retention sweep carries it out (``ConsentWithdrawalRetention``).
    public static func termination(retentionDays: Int) -> String {
        let days = ConsentWithdrawalRetention.window(retentionDays: retentionDays)
        return "Until withdrawn; withdrawal is possible at any time. Within \(days) days of the withdrawal the daily retention sweep "
            + "destroys the data kept only for this purpose, with a destruction act; when no purpose is left the whole record goes and every "
            + "recipient that received it is asked to erase it. Data that another purpose still needs (the customer's account, an order "
            + "within its accounting retention, an open request) are kept for that purpose alone and destroyed at the end of its own retention."
    }

    /// Builds the receipt of `granted` purposes; the latest grant gives the timestamp, method and policy URL.
    public init(
        receiptID: UUID, subjectID: UUID, language: String, jurisdiction: String, controller: Controller,
        publicKey: String, granted: [GrantedPurpose]
    ) {
        let latest = granted.max { $0.grantedAt < $1.grantedAt }
        version = Self.specificationVersion
        self.jurisdiction = jurisdiction
        consentTimestamp = Int64((latest?.grantedAt ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970)
        collectionMethod = latest?.channel.rawValue ?? ""
        consentReceiptID = receiptID.uuidString.lowercased()
        self.publicKey = publicKey
        self.language = language
        piiPrincipalId = subjectID.uuidString.lowercased()
        piiControllers = [controller]
        policyUrl = latest?.policyURL ?? ""
        services = [Service(service: controller.piiController, purposes: granted.sorted { $0.code < $1.code }.map { purpose in
            Purpose(
                purpose: purpose.title,
                purposeCategory: [purpose.code],
                consentType: "EXPLICIT",
                piiCategory: purpose.dataCategories.map(\.rawValue),
                primaryPurpose: false,
                termination: Self.termination(retentionDays: purpose.retentionDays),
                thirdPartyDisclosure: !purpose.recipientKinds.isEmpty,
                thirdPartyName: purpose.recipientKinds.map(\.rawValue).joined(separator: ", "),
                consentText: purpose.consentText)
        })]
        sensitive = false
        spiCat = []
    }
}
