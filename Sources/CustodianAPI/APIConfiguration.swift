import CustodianConsole
import CustodianCore
import CustodianPortal
import Foundation

/// Settings of the HTTP API, read from the environment by the executable.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest accepted request body in bytes (413 beyond it).
    public var maximumBodySize: Int
    /// Largest page a list operation returns.
    public var maximumPageSize: Int
    public var defaultPageSize: Int
    /// What consent receipts say about the controller, and the key that signs them (receipts answer 503 without one).
    public var receipts: ReceiptConfiguration
    /// Which recipient base URLs are acceptable (https only, no internal addresses unless allow-listed).
    public var outboundPolicy: OutboundAddressPolicy
    /// The controller's time zone: the day a subject request was received, and so its deadline, is counted in it.
    public var timeZone: TimeZone
    /// Keys the hashes a depersonalised subject's e-mail and phone are kept under; nil keeps none.
    public var identityHasher: IdentityHasher?
    /// Requests per minute and burst allowed to each API key; nil: no limit.
    public var rateLimit: (perMinute: Int, burst: Int)?
    /// The DPO console served under `/console`; its time zone and identity hasher follow the API's unless set apart.
    public var console: ConsoleConfiguration
    /// The customers' pages (one-click unsubscribe under `/u/`).
    public var portal: PortalConfiguration
    /// Where the internet reaches the customers' pages (`CUSTODIAN_PUBLIC_URL`), for the links the API issues.
    public var publicBaseURL: String
    /// A listener of its own for the public routes only (`CUSTODIAN_PUBLIC_PORT`); nil: everything on ``port``.
    public var publicPort: Int?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maximumBodySize: Int = 1 << 20, maximumPageSize: Int = 200,
        defaultPageSize: Int = 50, receipts: ReceiptConfiguration = ReceiptConfiguration(),
        outboundPolicy: OutboundAddressPolicy = OutboundAddressPolicy(), timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!,
        identityHasher: IdentityHasher? = nil, rateLimit: (perMinute: Int, burst: Int)? = nil, console: ConsoleConfiguration? = nil,
        portal: PortalConfiguration = PortalConfiguration(), publicBaseURL: String = "http://127.0.0.1:8080", publicPort: Int? = nil
    ) {
        self.host = host
        self.port = port
        self.maximumBodySize = maximumBodySize
        self.maximumPageSize = maximumPageSize
        self.defaultPageSize = defaultPageSize
        self.receipts = receipts
        self.outboundPolicy = outboundPolicy
        self.timeZone = timeZone
        self.identityHasher = identityHasher
        self.rateLimit = rateLimit
        self.console = console ?? ConsoleConfiguration(timeZone: timeZone, identityHasher: identityHasher, outboundPolicy: outboundPolicy)
        self.portal = portal
        self.publicBaseURL = publicBaseURL
        self.publicPort = publicPort
    }
}

/// The controller stated on consent receipts, the receipt signing key, and the public halves of the keys it replaced,
/// which the key set (`/.well-known/consent-receipt-keys`) keeps listing so receipts already issued still verify.
public struct ReceiptConfiguration: Sendable {
    public var signingKey: ReceiptSigningKey?
    public var previousKeys: [Ed25519JWK]
    public var jurisdiction: String
    public var controller: ConsentReceipt.Controller

    public init(
        signingKey: ReceiptSigningKey? = nil, previousKeys: [Ed25519JWK] = [], jurisdiction: String = "RU",
        controller: ConsentReceipt.Controller = .init(piiController: "", contact: "", address: "", email: "", phone: "", piiControllerUrl: "")
    ) {
        self.signingKey = signingKey
        self.previousKeys = previousKeys
        self.jurisdiction = jurisdiction
        self.controller = controller
    }
}
