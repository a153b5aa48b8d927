import Foundation

/// Customers from CSV: a header row names the columns (in any order; only `external_ref` and `full_name` are
/// required), then one row per consent event. Consecutive rows with the same `external_ref` are one customer: its
/// first row gives the subject's columns, which later rows leave empty or repeat unchanged. An empty cell is an absent
/// member; a row with empty `consent_*` cells records no event; a row of empty cells is skipped. CSV carries no orders:
/// import those as NDJSON.
public struct CustomerCSV: Sendable {
    /// The columns a header may name.
    public static let columns = [
        "external_ref", "full_name", "email", "phone", "registration_address", "locale", "has_account",
        "consent_purpose", "consent_action", "consent_policy_version", "consent_text", "consent_channel", "consent_occurred_at",
        "consent_ip_address", "consent_user_agent", "consent_form_id",
    ]
    static let subjectColumns = ["external_ref", "full_name", "email", "phone", "registration_address", "locale", "has_account"]
    static let consentColumns = columns.filter { $0.hasPrefix("consent_") }

    /// A header that cannot be read: the whole file is refused.
    public struct HeaderError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private let index: [String: Int]
    /// The rows of the customer being read, and the first fault of one of them.
    private var pending: (line: Int, rows: [[String: String]], fault: String?)?

    /// Reads the header row; throws ``HeaderError`` for an unknown or repeated column, or a required one missing.
    public init(header: [String]) throws(HeaderError) {
        var index: [String: Int] = [:]
        for (position, raw) in header.enumerated() {
            // A spreadsheet may begin the file with a byte order mark.
            let name = raw.trimmingWhitespace().replacingOccurrences(of: "\u{FEFF}", with: "")
            guard Self.columns.contains(name) else {
                // Named only when it looks like a column name: a file without a header starts with personal data.
                let shown = name.utf8.count <= 40 && name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "_") }) ? " (\(name))" : ""
                throw HeaderError(description: "column \(position + 1)\(shown) is not a column the import knows")
            }
            guard index.updateValue(position, forKey: name) == nil else { throw HeaderError(description: "column \(name) appears twice") }
        }
        for required in ["external_ref", "full_name"] where index[required] == nil {
            throw HeaderError(description: "the header names no \(required) column")
        }
        self.index = index
    }

    /// Adds a data row; returns the previous customer when this row begins another one. A row of empty cells is
    /// skipped; a row with a fault (not UTF-8, an unclosed quote) or with data in cells beyond the header's columns
    /// refuses its customer.
    public mutating func add(_ record: CSVRecordSplitter.Record) -> ImportEntry? {
        guard record.fault != nil || !record.fields.allSatisfy(\.isEmpty) else { return nil }
        var row: [String: String] = [:]
        for (name, position) in index where position < record.fields.count && !record.fields[position].isEmpty {
            row[name] = record.fields[position]
        }
        let fault = record.fault
            ?? (record.fields.dropFirst(index.count).contains { !$0.isEmpty } ? "has more cells than the header has columns" : nil)
        if let current = pending, current.rows.first?["external_ref"] == row["external_ref"], row["external_ref"] != nil {
            pending = (current.line, current.rows + [row], current.fault ?? fault)
            return nil
        }
        let previous = flush()
        pending = (record.line, [row], fault)
        return previous
    }

    /// The last customer, at the end of the file.
    public mutating func finish() -> ImportEntry? {
        flush()
    }

    private mutating func flush() -> ImportEntry? {
        guard let (line, rows, fault) = pending else { return nil }
        pending = nil
        if let fault { return (line, .failure(ValidationFailure([FieldError(field: "line", message: fault)]))) }
        return (line, Self.customer(rows))
    }

    private static func customer(_ rows: [[String: String]]) -> Result<CustomerImportLine, ValidationFailure> {
        guard let first = rows.first else { return .failure(ValidationFailure([FieldError(field: "line", message: "is empty")])) }
        var errors: [FieldError] = []
        for name in ["external_ref", "full_name"] where first[name] == nil {
            errors.append(FieldError(field: name, message: "is required"))
        }
        for (offset, row) in rows.enumerated().dropFirst() {
            for name in subjectColumns where row[name] != nil && row[name] != first[name] {
                errors.append(FieldError(field: "row \(offset + 1).\(name)", message: "differs from the customer's first row"))
            }
        }
        var hasAccount: Bool?
        switch first["has_account"] {
        case nil: break
        case "true": hasAccount = true
        case "false": hasAccount = false
        default: errors.append(FieldError(field: "has_account", message: "must be true or false"))
        }
        var consents: [CustomerImportLine.Consent] = []
        for (offset, row) in rows.enumerated() where !consentColumns.allSatisfy({ row[$0] == nil }) {
            var missing: [String] = []
            func required(_ name: String) -> String {
                if let value = row["consent_" + name] { return value }
                missing.append(name)
                return ""
            }
            let consent = CustomerImportLine.Consent(
                purpose: required("purpose"), action: required("action"), policyVersion: required("policy_version"),
                consentText: row["consent_text"], channel: required("channel"), occurredAt: required("occurred_at"),
                evidence: CustomerImportLine.Evidence(ipAddress: row["consent_ip_address"], userAgent: row["consent_user_agent"], formID: row["consent_form_id"]))
            errors += missing.map { FieldError(field: "consents.\(consents.count).\($0)", message: "is required (row \(offset + 1) of the customer)") }
            consents.append(consent)
        }
        guard errors.isEmpty, let externalRef = first["external_ref"], let fullName = first["full_name"] else {
            return .failure(ValidationFailure(errors))
        }
        return .success(CustomerImportLine(
            externalRef: externalRef, fullName: fullName, email: first["email"], phone: first["phone"],
            registrationAddress: first["registration_address"], locale: first["locale"], hasAccount: hasAccount, consents: consents, orders: []))
    }
}
