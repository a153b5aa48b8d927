import Foundation
import Logging

/// Writes each log record as one JSON line on stderr: time, level, label, message and metadata.
/// Callers log ids, routes and counts only, never personal data.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var record: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            record[key] = "\(value)"
        }
        record["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        record["level"] = event.level.rawValue
        record["logger"] = label
        record["message"] = event.message.description
        guard var line = try? Self.encoder.encode(record) else { return }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Routes every logger of the process through this handler.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, logLevel: level) }
    }
}
