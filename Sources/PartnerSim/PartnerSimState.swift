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

/// A status callback PartnerSim sent to Custodian, and how Custodian answered.
public struct SentCallback: Codable, Sendable, Equatable {
    public let subjectRequestID: String
    public let url: String
    /// Custodian's HTTP status, or nil when the call failed.
    public let httpStatus: Int?
}

/// What PartnerSim has received and the faults still to inject; shared by its handlers.
final class PartnerSimState: Sendable {
    private struct Storage {
        var received: [ReceivedMessage] = []
        var seenWebhookIDs: Set<String> = []
        var duplicates = 0
        var rejectedSignatures = 0
        var faults: [String: PartnerFault] = [:]
        var callbacks: [SentCallback] = []
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

    /// What the endpoint's fault profile does with the request arriving now, and its latency.
    func decideFault(for endpoint: String) -> (decision: PartnerFault.Decision, latencyMilliseconds: Int, callbackAfterMilliseconds: Int?) {
        storage.withLockedValue { storage in
            guard var fault = storage.faults[endpoint] else { return (.proceed, 0, nil) }
            let decision = fault.decide()
            storage.faults[endpoint] = fault
            return (decision, fault.latencyMilliseconds ?? 0, fault.callbackAfterMilliseconds)
        }
    }

    func inject(_ fault: PartnerFault) {
        storage.withLockedValue { $0.faults[fault.endpoint] = fault }
    }

    func recordCallback(_ callback: SentCallback) {
        storage.withLockedValue { $0.callbacks.append(callback) }
    }

    func snapshot() -> ReceivedReport {
        storage.withLockedValue {
            ReceivedReport(received: $0.received, duplicates: $0.duplicates, rejectedSignatures: $0.rejectedSignatures, callbacks: $0.callbacks)
        }
    }
}
