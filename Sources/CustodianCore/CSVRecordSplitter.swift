/// Splits CSV text (RFC 4180: comma-separated, a field optionally in double quotes with `""` for a quote inside and
/// line breaks kept, CRLF or LF between records) into records as bytes arrive, each with the line it starts on. A
/// quote inside an unquoted field is an ordinary character (`ООО "Ромашка"`), as spreadsheets write it. A record that
/// is not UTF-8, or whose quoted field is never closed, carries a ``Record/fault`` instead of being guessed at.
public struct CSVRecordSplitter: Sendable {
    /// One record: its fields, the 1-based line of the file it starts on, and what is wrong with it, if anything.
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
        public let fault: String?

        public init(line: Int, fields: [String], fault: String? = nil) {
            self.line = line
            self.fields = fields
            self.fault = fault
        }
    }

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var fault: String?
    private var quoted = false
    /// The previous byte closed a quoted stretch (a quote that may be the first of `""`).
    private var quoteClosed = false
    /// The current field began with a quote.
    private var fieldQuoted = false
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
            case UInt8(ascii: "\"") where quoteClosed:
                // `""` inside a quoted field: one quote, and the field goes on quoted.
                field.append(byte)
                quoted = true
            case UInt8(ascii: "\"") where field.isEmpty && !fieldQuoted:
                quoted = true
                fieldQuoted = true
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
        if quoted { fault = fault ?? "has a quoted field that is never closed" }
        guard recordHasContent || !field.isEmpty else { return nil }
        return endRecord()
    }

    private mutating func endField() {
        if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            fields.append("")
            fault = fault ?? "is not UTF-8 text"
        }
        field.removeAll(keepingCapacity: true)
        fieldQuoted = false
    }

    private mutating func endRecord() -> Record {
        endField()
        defer {
            fields = []
            fault = nil
            recordHasContent = false
        }
        return Record(line: recordLine, fields: fields, fault: fault)
    }
}
