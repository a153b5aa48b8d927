import AsyncHTTPClient
import CustodianCore
import CustodianQueue
import CustodianWorker
import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdTesting
import NIOConcurrencyHelpers
import Testing

/// No DNS-rebinding window: the worker resolves a recipient's name once, checks every address, and connects to the
/// checked one while TLS still verifies the name. A resolver scripted like a rebinding DNS server answers a
/// "public" address first (127.0.0.1, allowed for the test) and a private one after; `partner.test` exists in no real
/// DNS (RFC 6761), so a successful call proves the connection went to the pinned address.
@Suite("Outbound: DNS pinning")
struct DNSPinningTests {
    /// Answers each lookup with the next of `answers` (the last one repeating) and counts the lookups.
    final class ScriptedResolver: HostResolver {
        let answers: [[String]]
        let calls = NIOLockedValueBox(0)

        init(_ answers: [[String]]) {
            self.answers = answers
        }

        func addresses(of host: String) async -> [String] {
            let call = calls.withLockedValue { count in
                count += 1
                return count
            }
            return answers[min(call, answers.count) - 1]
        }
    }

    static let environment = ProcessInfo.processInfo.environment
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()

    /// Runs an HTTPS partner on 127.0.0.1 with the certificate `partner.test` (scripts/test makes it) that counts the
    /// POSTs it received, and a worker's client that trusts the test CA.
    static func withPartner(
        resolver: ScriptedResolver, _ body: @Sendable (_ client: OutboundClient, _ port: Int, _ received: NIOLockedValueBox<Int>) async throws -> Void
    ) async throws {
        let certificate = try #require(environment["CUSTODIAN_TEST_PARTNER_CERT"], "scripts/test sets CUSTODIAN_TEST_PARTNER_CERT")
        let key = try #require(environment["CUSTODIAN_TEST_PARTNER_KEY"])
        let root = try #require(environment["CUSTODIAN_TEST_PG_ROOT_CERT"])
        let received = NIOLockedValueBox(0)
        let router = Router()
        router.post("notices") { _, _ in
            received.withLockedValue { $0 += 1 }
            return Response(status: .ok)
        }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let partner = Application(router: router, server: try .tls(tlsConfiguration: tls), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        var configuration = OutboundClient.httpConfiguration()
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .file(root)
        configuration.tlsConfiguration = trusting
        let pinned = PinnedHTTPClients(configuration: configuration)
        let client = OutboundClient(
            http: .shared, policy: OutboundAddressPolicy(allowedAddresses: ["127.0.0.1"]), totalTimeout: .seconds(10), resolver: resolver,
            pinned: pinned)
        try await partner.test(.live) { test in
            try await body(client, try #require(test.port), received)
        }
        await pinned.shutdown()
    }

    static func post(_ client: OutboundClient, port: Int, host: String = "partner.test") async -> JobOutcome {
        let target = OutboundTarget(recipientID: UUID(), baseURL: "https://\(host):\(port)", apiToken: nil, signingSecret: secret)
        return await client.post(to: target, path: "/notices", body: Data("{}".utf8), webhookID: "msg_\(UUID().uuidString)").outcome
    }

    @Test("the checked address is the one connected to, the name still verified; a second answer naming a private address is refused before any connection")
    func rebindingRefused() async throws {
        let resolver = ScriptedResolver([["127.0.0.1"], ["10.0.0.1"]])
        try await Self.withPartner(resolver: resolver) { client, port, received in
            #expect(await Self.post(client, port: port) == .succeeded, "connected to the checked 127.0.0.1 for partner.test, certificate verified")
            #expect(received.withLockedValue { $0 } == 1)
            let second = await Self.post(client, port: port)
            guard case .failed(let reason, _) = second else {
                Issue.record("a private address is refused, not \(second)")
                return
            }
            #expect(reason.contains("internal address"))
            #expect(received.withLockedValue { $0 } == 1, "nothing was sent")
            #expect(resolver.calls.withLockedValue { $0 } == 2, "one lookup per delivery")
        }
    }

    @Test("an answer mixing a public and a private address is refused")
    func mixedAnswerRefused() async throws {
        try await Self.withPartner(resolver: ScriptedResolver([["127.0.0.1", "10.0.0.1"]])) { client, port, received in
            guard case .failed = await Self.post(client, port: port) else {
                Issue.record("refused")
                return
            }
            #expect(received.withLockedValue { $0 } == 0)
        }
    }

    @Test("pinning keeps the name checked: a certificate for another name fails the handshake (a retry), nothing is sent")
    func nameStillVerified() async throws {
        try await Self.withPartner(resolver: ScriptedResolver([["127.0.0.1"]])) { client, port, received in
            guard case .retry(let reason, _, _) = await Self.post(client, port: port, host: "other.test") else {
                Issue.record("a certificate for partner.test does not do for other.test")
                return
            }
            #expect(reason.contains("transport error"))
            #expect(received.withLockedValue { $0 } == 0)
        }
    }
}
