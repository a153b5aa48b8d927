import Foundation

/// Customers from CSV: a header row names the columns (in any order; only `external_ref` and `full_name` are
/// required), then one row per consent event. Consecutive rows with the same `external_ref` are one customer: its
/// first row gives the subject's columns, which later rows leave empty or repeat unchanged. An empty cell is an absent
/// member; a row with empty `consent_*` cells records no event. CSV carries no orders: import those as NDJSON.
public struct CustomerCSV: Sendable {
    /// The columns a header may name.
    public static let columns = [
        "external_ref", "full_name", "email", "phone", "registration_address", "locale", "has_account",
        "consent_purpose", "consent_action", "consent_policy_version", "consent_text", "consent_channel", "consent_occurred_at",
        "consent_ip_address", "consent_user_agent", "consent_form_id",
    ]
    static let subjectColumns = Array(columns.prefix(7))

    /// A header that cannot be read: the whole file is refused.
    public struct HeaderError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A customer read, or the reasons its rows were refused, with the line its first row starts on.
    public typealias Entry = (line: Int, customer: Result<CustomerImportLine, ValidationFailure>)

    private let index: [String: Int]
    /// The rows of the customer being read; `overlong` when a row had more cells than the header has columns.
    private var pending: (line: Int, rows: [[String: String]], overlong: Bool)?

    /// Reads the header row; throws ``HeaderError`` for an unknown or repeated column, or a required one missing.
    public init(header: [String]) throws(HeaderError) {
        var index: [String: Int] = [:]
        for (position, raw) in header.enumerated() {
            // A spreadsheet may begin the file with a byte order mark.
            let name = raw.trimmingWhitespace().replacingOccurrences(of: "\u{FEFF}", with: "")
            guard Self.columns.contains(name) else { throw HeaderError(description: "column \(position + 1) (\(name)) is not a column the import knows") }
            guard index.updateValue(position, forKey: name) == nil else { throw HeaderError(description: "column \(name) appears twice") }
        }
        for required in ["external_ref", "full_name"] where index[required] == nil {
            throw HeaderError(description: "the header names no \(required) column")
        }
        self.index = index
    }

    /// Adds a data row; returns the previous customer when this row begins another one.
    public mutating func add(_ record: CSVRecordSplitter.Record) -> Entry? {
        var row: [String: String] = [:]
        for (name, position) in index where position < record.fields.count && !record.fields[position].isEmpty {
            row[name] = record.fields[position]
        }
        // Extra cells would be data without a column: the customer is refused.
        let overlong = record.fields.count > index.count
        if let current = pending, current.rows.first?["external_ref"] == row["external_ref"], row["external_ref"] != nil {
            pending = (current.line, current.rows + [row], current.overlong || overlong)
            return nil
        }
        let previous = flush()
        pending = (record.line, [row], overlong)
        return previous
    }

    /// The last customer, at the end of the file.
    public mutating func finish() -> Entry? {
        flush()
    }

    private mutating func flush() -> Entry? {
        guard let (line, rows, overlong) = pending else { return nil }
        pending = nil
        if overlong { return (line, .failure(ValidationFailure([FieldError(field: "line", message: "has more cells than the header has columns")]))) }
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
        for (offset, row) in rows.enumerated() where !columns.filter({ $0.hasPrefix("consent_") }).allSatisfy({ row[$0] == nil }) {
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
