import ArgumentParser
import CustodianCore
import CustodianStore
import Foundation

/// `custodian import FILE`: loads a shop's existing customers — subjects with their consent history and orders — from
/// NDJSON or CSV, in batches of one transaction each with their audit rows, with a progress bar. Every customer is
/// checked as the API checks it; refused ones go to a report (line, member, reason: never a value). A re-run skips the
/// customers already stored (matched by `external_ref`), so an interrupted import is finished by running it again.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import existing customers with their consent history and orders from NDJSON or CSV (idempotent by external_ref).",
        discussion: """
            NDJSON: one customer per line, in the API's member names: the SubjectCreate members, "consents" (ConsentEventCreate \
            objects, occurred_at required) and "orders" (OrderCreate objects without subject_id, with optional placed_at and status). \
            CSV: a header row, then one row per consent event; consecutive rows of one external_ref are one customer (columns: \
            \(CustomerCSV.columns.joined(separator: ", "))). Exit status 2 when some customers were refused.
            """)

    @Argument(help: "The file to import (.csv is read as CSV, anything else as NDJSON unless --format says otherwise).")
    var file: String

    @Option(help: "ndjson or csv.")
    var format: ImportFormat?

    @Option(help: "Customers per transaction.")
    var batch = 500

    @Option(help: "Where refused customers are listed, one JSON object per line (default: FILE.refused.ndjson).")
    var report: String?

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1 to 10000") }
    }

    func run() async throws {
        let settings = Settings()
        let keys = try settings.personalDataKeys
        let (file, format, batchSize) = (file, format ?? ImportFormat(path: file), batch)
        let reportPath = report ?? file + ".refused.ndjson"
        let lines = try Self.countLines(file)
        let requestID = "import-" + UUID().uuidString.lowercased()
        let totals = try await settings.withDatabase(personalDataKeys: keys) { database in
            let reader = try ImportFileReader(path: file, format: format)
            let refusals = try RefusalReport(path: reportPath)
            let repository = CustomerImportRepository(database: database)
            let catalogue = try await repository.catalogue()
            let progress = ProgressLine(total: lines, label: "lines")
            var totals = ImportTotals()
            var seen: [String: Int] = [:]
            // Each batch is sealed while the previous one is written.
            var writing: Task<(CustomerImportRepository.BatchOutcome, [Int]), any Error>?
            func collect() async throws {
                guard let (outcome, lines) = try await writing?.value else { return }
                totals.add(outcome)
                for refusal in outcome.refused { try refusals.write(line: lines[refusal.position], errors: [refusal.error]) }
            }
            var customers: [ImportedCustomer] = []
            var customerLines: [Int] = []
            var done = false
            while !done {
                let now = Date()
                while customers.count < batchSize, let (line, decoded) = try reader.next() {
                    totals.read += 1
                    do throws(ValidationFailure) {
                        let customer = try decoded.get().validated(against: catalogue, now: now)
                        if let first = seen.updateValue(line, forKey: customer.subject.externalRef) {
                            seen[customer.subject.externalRef] = first
                            throw ValidationFailure([FieldError(field: "external_ref", message: "repeats the customer of line \(first)")])
                        }
                        customers.append(customer)
                        customerLines.append(line)
                    } catch {
                        totals.refused += 1
                        try refusals.write(line: line, errors: error.errors)
                    }
                    progress.show(line)
                }
                done = customers.count < batchSize
                guard !customers.isEmpty else { break }
                let prepared = try repository.prepare(customers)
                try await collect()
                let batchLines = customerLines
                writing = Task { (try await repository.write(prepared, requestID: requestID), batchLines) }
                customers.removeAll(keepingCapacity: true)
                customerLines.removeAll(keepingCapacity: true)
            }
            try await collect()
            progress.finish(lines)
            try refusals.close()
            return totals
        }
        print("""
            \(requestID): \(totals.read) customer(s) read: \(totals.imported) imported with \(totals.consentEvents) consent event(s) and \
            \(totals.orders) order(s), \(totals.present) already present, \(totals.refused) refused
            """)
        if totals.refused > 0 {
            print("the refused customers are listed by line in \(reportPath)")
            throw ExitCode(2)
        }
    }

    /// The number of lines in the file (for the progress bar), counted in one quick pass: so the file must be a
    /// regular one (a pipe would be used up by the count).
    private static func countLines(_ path: String) throws -> Int {
        let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        guard type == .typeRegular else { throw ValidationError("\(path) is not a regular file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open \(path)") }
        defer { try? handle.close() }
        var count = 0
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            count += chunk.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        return count
    }
}

/// What an import did, counted.
struct ImportTotals {
    var read = 0
    var imported = 0
    var present = 0
    var refused = 0
    var consentEvents = 0
    var orders = 0

    mutating func add(_ outcome: CustomerImportRepository.BatchOutcome) {
        imported += outcome.imported.count
        present += outcome.present.count
        refused += outcome.refused.count
        consentEvents += outcome.consentEvents
        orders += outcome.orders
    }
}
