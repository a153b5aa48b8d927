import AsyncHTTPClient
import CustodianCore
import CustodianDatabase
import CustodianQueue
import CustodianStore
import Foundation
import NIOCore
import NIOHTTP1

/// Sends signed JSON to recipients: Standard Webhooks headers (`webhook-id` stable across retries of a step),
/// `Idempotency-Key` equal to the webhook id, the recipient's bearer credential, no redirects, a connect timeout and a
/// hard total timeout, and never to an address the outbound policy forbids: the name is resolved once (`resolver`),
/// every address checked, and the connection made to the checked address (``PinnedHTTPClients``), so DNS cannot
/// answer differently in between. Allow-listed hosts (tests, the demo) go through `http` unresolved.
public struct OutboundClient: Sendable {
    let http: HTTPClient
    let policy: OutboundAddressPolicy
    let resolver: any HostResolver
    let pinned: PinnedHTTPClients
    public let totalTimeout: Duration

    public init(
        http: HTTPClient, policy: OutboundAddressPolicy, totalTimeout: Duration = .seconds(30), resolver: any HostResolver = SystemHostResolver(),
        pinned: PinnedHTTPClients? = nil
    ) {
        self.http = http
        self.policy = policy
        self.totalTimeout = totalTimeout
        self.resolver = resolver
        self.pinned = pinned ?? PinnedHTTPClients(configuration: Self.httpConfiguration())
    }

    /// The client configuration outgoing calls need: connect timeout, read timeout, redirects refused, up to
    /// `connectionsPerHost` HTTP/1.1 connections to one recipient, and no tracing.
    public static func httpConfiguration(
        connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30), connectionsPerHost: Int = 8
    ) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(Int64(connectTimeout / .milliseconds(1))), read: .milliseconds(Int64(readTimeout / .milliseconds(1))))
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        // No tracer is bootstrapped; without this the client still opens a no-op span per call and parses its URL again.
        configuration.tracing.tracer = nil
        return configuration
    }

    /// POSTs `body` to `target.baseURL + path` and classifies the answer, with the HTTP status and body when there was one.
    /// Never throws: transport failures are retries, refused destinations are permanent failures. Error texts hold no
    /// personal data.
    public func post(to target: OutboundTarget, path: String, body: Data, webhookID: String) async -> (outcome: JobOutcome, httpStatus: Int?, body: Data) {
        guard let secret = StandardWebhooksSecret(target.signingSecret) else {
            return (.failed(reason: "the recipient's signing secret is invalid", httpStatus: nil), nil, Data())
        }
        guard case .success(let baseURL) = policy.validateBaseURL(target.baseURL), let host = URLComponents(string: baseURL)?.host else {
            return (.failed(reason: "the recipient's base URL is not allowed", httpStatus: nil), nil, Data())
        }
        let checkedAddress: String?
        if policy.allowedHosts.contains(host.lowercased()) {
            checkedAddress = nil
        } else {
            let addresses = await resolver.addresses(of: host)
            if addresses.isEmpty { return (.retry(reason: "the recipient's host did not resolve", httpStatus: nil, retryAfter: nil), nil, Data()) }
            if !addresses.allSatisfy(policy.permits(address:)) {
                return (.failed(reason: "the recipient's host resolves to an internal address", httpStatus: nil), nil, Data())
            }
            checkedAddress = addresses[0]
        }
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "webhook-id", value: webhookID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: secret.signature(id: webhookID, timestamp: timestamp, body: body))
        request.headers.add(name: "Idempotency-Key", value: webhookID)
        if let token = target.apiToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        let backstop = TimeAmount.milliseconds(Int64(totalTimeout / .milliseconds(1)) + 1000)
        let exchange: @Sendable (HTTPClient) async throws -> (outcome: JobOutcome, httpStatus: Int?, body: Data) = { client in
            // The deadline below is the limit; the client's own one is only a backstop behind it.
            let response = try await client.execute(prepared, timeout: backstop)
            let answer = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            return (JobOutcome.classify(httpStatus: status, retryAfter: response.headers.first(name: "Retry-After")), status, Data(buffer: answer))
        }
        let (http, pinned) = (http, pinned)
        do {
            return try await OperationDeadline.run(within: totalTimeout, timeoutError: { OutboundTimeout() }) {
                guard let checkedAddress else { return try await exchange(http) }
                return try await pinned.withClient(host: host, address: checkedAddress, exchange)
            }
        } catch is OutboundTimeout {
            return (.retry(reason: "the recipient did not answer within \(totalTimeout)", httpStatus: nil, retryAfter: nil), nil, Data())
        } catch {
            return (.retry(reason: "transport error: \(type(of: error))", httpStatus: nil, retryAfter: nil), nil, Data())
        }
    }
}

/// An outgoing exchange that outlived the total timeout.
private struct OutboundTimeout: Error {}
