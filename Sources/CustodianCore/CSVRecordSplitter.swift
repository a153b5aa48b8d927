/// Splits CSV text (RFC 4180: comma-separated, fields optionally in double quotes, `""` for a quote inside one, line
/// breaks inside quotes kept, CRLF or LF between records) into records as bytes arrive, each with the line it starts on.
public struct CSVRecordSplitter: Sendable {
    /// One record: its fields and the 1-based line of the file it starts on.
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
    }

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var quoted = false
    /// The previous byte closed a quoted stretch (a quote that may be the first of `""`).
    private var quoteClosed = false
    private var recordHasContent = false
    private var line = 1
    private var recordLine = 1

    public init() {}

    /// The records `bytes` completes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Record] {
        var records: [Record] = []
        for byte in bytes {
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    quoted = false
                    quoteClosed = true
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                // A quote opens a quoted stretch; right after one closed, it is an escaped quote.
                if quoteClosed { field.append(byte) }
                quoted = true
                recordHasContent = true
            case UInt8(ascii: ","):
                endField()
                recordHasContent = true
            case UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "\n"):
                if recordHasContent || !field.isEmpty { records.append(endRecord()) }
                line += 1
                recordLine = line
            default:
                field.append(byte)
                recordHasContent = true
            }
            quoteClosed = false
        }
        return records
    }

    /// The last record when the text does not end with a line break; nil otherwise.
    public mutating func finish() -> Record? {
        guard recordHasContent || !field.isEmpty else { return nil }
        return endRecord()
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord() -> Record {
        endField()
        defer {
            fields = []
            recordHasContent = false
        }
        return Record(line: recordLine, fields: fields)
    }
}
