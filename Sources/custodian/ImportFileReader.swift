import ArgumentParser
import CustodianCore
import Foundation

/// The formats `custodian import` reads.
enum ImportFormat: String, CaseIterable, ExpressibleByArgument {
    /// One JSON object per line (``CustomerImportLine``).
    case ndjson
    /// A header row, then one row per consent event (``CustomerCSV``).
    case csv

    /// The format a file's name suggests: CSV for `.csv`, NDJSON otherwise.
    init(path: String) {
        self = path.lowercased().hasSuffix(".csv") ? .csv : .ndjson
    }
}

/// Reads an import file in chunks and hands out its customers one by one, each with the line it starts on: decoded,
/// or refused with the members at fault.
final class ImportFileReader {
    private let handle: FileHandle
    private let format: ImportFormat
    private var buffer: [UInt8] = []
    private var offset = 0
    private var atEnd = false
    private var nextLine = 1
    private var csv: (splitter: CSVRecordSplitter, customers: CustomerCSV?)
    private var ready: [ImportEntry] = []
    private var readyIndex = 0

    /// Opens `path`; throws when it cannot be read.
    init(path: String, format: ImportFormat) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open \(path)") }
        self.handle = handle
        self.format = format
        csv = (CSVRecordSplitter(), nil)
    }

    deinit {
        try? handle.close()
    }

    /// The next customer; nil at the end of the file. Throws ``CustomerCSV/HeaderError`` for a CSV header it cannot use.
    func next() throws -> ImportEntry? {
        switch format {
        case .ndjson: return try nextJSONLine()
        case .csv: return try nextCSVCustomer()
        }
    }

    private func nextJSONLine() throws -> ImportEntry? {
        while true {
            if let newline = buffer[offset...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = nextLine
                nextLine += 1
                let bytes = buffer[offset..<newline]
                offset = newline + 1
                if bytes.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
                return (line, Result { () throws(ValidationFailure) in try CustomerImportLine.decode(json: bytes) })
            }
            if atEnd {
                guard offset < buffer.count else { return nil }
                let bytes = buffer[offset...]
                offset = buffer.count
                if bytes.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { return nil }
                return (nextLine, Result { () throws(ValidationFailure) in try CustomerImportLine.decode(json: bytes) })
            }
            try readChunk()
        }
    }

    private func nextCSVCustomer() throws -> ImportEntry? {
        if readyIndex == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
        }
        while ready.isEmpty {
            if atEnd {
                if let last = csv.splitter.finish() { try take(last) }
                if let last = csv.customers?.finish() { ready.append(last) }
                break
            }
            try readChunk()
            let records = csv.splitter.feed(buffer)
            buffer.removeAll(keepingCapacity: true)
            for record in records { try take(record) }
        }
        guard readyIndex < ready.count else { return nil }
        readyIndex += 1
        return ready[readyIndex - 1]
    }

    private func take(_ record: CSVRecordSplitter.Record) throws {
        if csv.customers == nil {
            csv.customers = try CustomerCSV(header: record.fields)
        } else if let entry = csv.customers?.add(record) {
            ready.append(entry)
        }
    }

    private func readChunk() throws {
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty { atEnd = true }
        buffer.removeFirst(offset)
        offset = 0
        buffer.append(contentsOf: chunk)
    }
}
