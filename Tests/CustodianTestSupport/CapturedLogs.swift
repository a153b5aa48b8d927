import Foundation
import Logging
import Synchronization

/// Every log record a logger made, rendered as text (message, metadata, source), for tests that check what logs hold.
public final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger that records here everything at `level` and above.
    public func logger(label: String = "custodian.captured", level: Logger.Level = .trace) -> Logger {
        Logger(label: label) { _ in Handler(sink: self, logLevel: level) }
    }

    /// What was logged so far.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// How many records were logged so far.
    public var count: Int { lines.withLock { $0.count } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append("\(event.level) \(event.source) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
