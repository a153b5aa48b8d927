import Foundation
import NIOConcurrencyHelpers

/// One message PartnerSim accepted, as tests read it back.
public struct ReceivedMessage: Codable, Sendable, Equatable {
    public let endpoint: String
    public let webhookID: String
    public let idempotencyKey: String?
    public let authorization: String?
    /// The JSON body as received.
    public let body: [String: JSONValue]
}

/// A JSON value, so tests can assert field by field what a partner received, including what is absent.
public enum JSONValue: Codable, Sendable, Equatable {
    case string(String), number(Double), bool(Bool), object([String: JSONValue]), array([JSONValue]), null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

/// A fault to inject on one endpoint for its next `count` requests.
public struct InjectedFault: Codable, Sendable, Equatable {
    public let endpoint: String
    public let status: Int
    public let count: Int
    public let retryAfterSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case endpoint, status, count
        case retryAfterSeconds = "retry_after_seconds"
    }

    public init(endpoint: String, status: Int, count: Int, retryAfterSeconds: Int? = nil) {
        self.endpoint = endpoint
        self.status = status
        self.count = count
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// What PartnerSim has received and the faults still to inject; shared by its handlers.
final class PartnerSimState: Sendable {
    private struct Storage {
        var received: [ReceivedMessage] = []
        var seenWebhookIDs: Set<String> = []
        var duplicates = 0
        var rejectedSignatures = 0
        var faults: [String: InjectedFault] = [:]
    }

    private let storage = NIOLockedValueBox(Storage())

    /// Records a message unless its webhook-id was seen; returns false for a duplicate.
    func accept(_ message: ReceivedMessage) -> Bool {
        storage.withLockedValue { storage in
            guard storage.seenWebhookIDs.insert(message.webhookID).inserted else {
                storage.duplicates += 1
                return false
            }
            storage.received.append(message)
            return true
        }
    }

    func rejectSignature() {
        storage.withLockedValue { $0.rejectedSignatures += 1 }
    }

    /// The fault to answer with now, consuming one of its remaining uses.
    func takeFault(for endpoint: String) -> InjectedFault? {
        storage.withLockedValue { storage in
            guard let fault = storage.faults[endpoint], fault.count > 0 else { return nil }
            storage.faults[endpoint] = InjectedFault(
                endpoint: endpoint, status: fault.status, count: fault.count - 1, retryAfterSeconds: fault.retryAfterSeconds)
            return fault
        }
    }

    func inject(_ fault: InjectedFault) {
        storage.withLockedValue { $0.faults[fault.endpoint] = fault }
    }

    func snapshot() -> (received: [ReceivedMessage], duplicates: Int, rejectedSignatures: Int) {
        storage.withLockedValue { ($0.received, $0.duplicates, $0.rejectedSignatures) }
    }
}
