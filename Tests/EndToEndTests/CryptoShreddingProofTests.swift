import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

/// The proof that an erasure reaches backups: a `pg_dump` taken before it, restored with the keys there are after it,
/// holds nothing of the subject that can be read; and neither that dump nor the WAL holds any personal data in clear.
@Suite("Crypto-shredding: an erasure reaches a backup taken before it")
struct CryptoShreddingProofTests {
    /// The test cluster's tools and data directory, as scripts/test exports them.
    struct Cluster {
        let bin: URL
        let dataDirectory: URL

        init() throws {
            let environment = ProcessInfo.processInfo.environment
            guard let bin = environment["CUSTODIAN_TEST_PG_BIN"], let data = environment["CUSTODIAN_TEST_PG_DIR"] else {
                throw TestDatabaseError("scripts/test sets CUSTODIAN_TEST_PG_BIN and CUSTODIAN_TEST_PG_DIR (the cluster's pg_dump, psql and WAL)")
            }
            self.bin = URL(fileURLWithPath: bin)
            dataDirectory = URL(fileURLWithPath: data)
        }

        /// Runs `tool` with `arguments`, failing with its output when it fails.
        func run(_ tool: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = bin.appendingPathComponent(tool)
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw TestDatabaseError("\(tool) failed: \(text.suffix(500))") }
        }

        /// A connection URL for database `name` as the server's administrator.
        func url(_ name: String) throws -> String {
            let server = try TestDatabase.serverURL().configuration
            return "postgresql://\(server.username)@\(server.host ?? "127.0.0.1"):\(server.port ?? 5432)/\(name)?sslmode=disable"
        }

        /// The WAL segments from `first` to `last` (names of one timeline sort in order).
        func walSegments(from first: String, through last: String) throws -> [URL] {
            let directory = dataDirectory.appendingPathComponent("pg_wal")
            return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.lastPathComponent.count == 24 && $0.lastPathComponent >= first && $0.lastPathComponent <= last }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

    /// Which of `needles` occur in the file at `url`.
    static func found(_ needles: [String], in url: URL) throws -> [String] {
        let haystack = try Data(contentsOf: url)
        return needles.filter { haystack.range(of: Data($0.utf8)) != nil }
    }

    /// A customer whose every value is unique to this run, so a scan for it finds this run's bytes alone.
    struct Person {
        let token = String((0..<10).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let digits = String((0..<7).map { _ in "0123456789".randomElement()! })
        var name: String { "Шредер Proof\(token)" }
        var email: String { "shred.\(token)@example.com" }
        var phone: String { "+7916\(digits)" }
        var address: String { "Shredding lane \(token), 1" }
        var deliveryName: String { "Deliver Proof\(token)" }
        var deliveryLine: String { "Courier street \(token), 2" }
        var city: String { "Proofcity\(token)" }
        var correction: String { "Corrected avenue \(token), 3" }
        var claim: String { "My claim about \(token) stays private" }
        /// The shop's reference, stored in clear: the control that a scan sees the subject's writes.
        var reference: String { "proof-ref-\(token)" }
        var personal: [String] { [name, email, phone, address, deliveryName, deliveryLine, city, correction, claim] }
    }

    /// The ids of what the test writes before the backup.
    struct Written {
        let dpo: String
        let subjectID: String
        let orderID: String
        let claimID: String
        let otherID: String
    }

    @Test("a dump taken before the erasure, restored with today's keys, shows nothing of the subject; no personal data in clear in the dump or the WAL")
    func proof() async throws {
        let cluster = try Cluster()
        let person = Person()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("custodian-proof-\(person.token)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        try await TestDatabase.withWALRetained { firstSegment in
            try await EndToEndStack.run { stack in
                let written = try await Self.write(person, stack)

                // 1. The long-lived backup: the data without the keys.
                let dump = work.appendingPathComponent("data.sql")
                try cluster.run("pg_dump", ["--no-owner", "--no-privileges", "--exclude-schema=custodian_keys", "--file", dump.path, try cluster.url(stack.databaseName)])
                #expect(try Self.found([person.reference], in: dump) == [person.reference], "the dump holds the subject's row")

                // 2. The erasure, its cascade delivered.
                let identity = #""subject_id":"\#(written.subjectID)""#
                let erasure = try await SubjectRequestWorkTests.register(stack, dpo: written.dpo, kind: "erasure", identity: identity)
                _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: written.dpo, erasure)
                try await EndToEndStack.waitFor { try await SubjectRequestWorkTests.status(stack, dpo: written.dpo, erasure) == "completed" }

                // 3. Restored into a new database, with the keys as they are now; 4. nothing of the subject opens.
                let keysDump = work.appendingPathComponent("keys.sql")
                try cluster.run("pg_dump", ["--no-owner", "--no-privileges", "--schema=custodian_keys", "--file", keysDump.path, try cluster.url(stack.databaseName)])
                try await TestDatabase.withEmpty(owner: .administrator) { restored in
                    try cluster.run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", dump.path, try cluster.url(restored)])
                    try cluster.run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", keysDump.path, try cluster.url(restored)])
                    try await TestDatabase.running(TestDatabase.pool(database: restored, role: .administrator)) { database in
                        try await Self.expectShredded(person, written, in: database)
                    }
                }

                // 5. No personal data in clear in either dump or anywhere in the WAL.
                #expect(try Self.found(person.personal, in: dump).isEmpty)
                #expect(try Self.found(person.personal, in: keysDump).isEmpty)
                try await Self.expectNoClearText(person, inWALFrom: firstSegment, cluster)
            }
        }
    }

    /// The subject with an idempotent creation (the stored response repeats the data, so it is sealed too), an order
    /// shipped to the courier, a pending rectification and a claim; and another customer, who is not erased.
    static func write(_ person: Person, _ stack: EndToEndStack) async throws -> Written {
        let (_, _, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
        let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"\(person.reference)","full_name":"\(person.name)","email":"\(person.email)","phone":"\(person.phone)",
             "registration_address":"\(person.address)"}
            """, headers: [HTTPField.Name("Idempotency-Key")!: "proof-\(person.token)"])
        let subjectID = try #require(subject["id"] as? String)
        let stored = try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM idempotency_keys WHERE subject_id = '\(subjectID)'")
        #expect(stored == 1)
        let order = try await stack.request(.post, "/v1/orders", key: shop, json: """
            {"subject_id":"\(subjectID)","external_ref":"\(person.reference)-order","currency":"RUB","total_minor":1000,
             "items":[{"sku":"MUG","name":"Mug","quantity":1,"unit_price_minor":1000}],
             "delivery":{"recipient_name":"\(person.deliveryName)","phone":"\(person.phone)","address_lines":["\(person.deliveryLine)"],
                         "city":"\(person.city)","postal_code":"101000","country":"RU"}}
            """)
        let orderID = try #require(order["id"] as? String)
        _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
        try await EndToEndStack.waitFor {
            try await stack.database.query("SELECT count(*) FROM transfers WHERE order_id = \(UUID(uuidString: orderID)!)")
                .collect().first?.decode(Int.self) == 1
        }
        let identity = #""subject_id":"\#(subjectID)""#
        _ = try await SubjectRequestWorkTests.register(
            stack, dpo: dpo, kind: "rectification", identity: identity, extra: #","corrections":{"registration_address":"\#(person.correction)"}"#)
        let claimID = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "claim", identity: identity, extra: #","text":"\#(person.claim)""#)
        let other = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"\(person.reference)-other","full_name":"Other Person","email":"other.\(person.token)@example.com"}
            """)
        return Written(dpo: dpo, subjectID: subjectID, orderID: orderID, claimID: claimID, otherID: try #require(other["id"] as? String))
    }

    /// In the restored database: the erased subject's row came back, but its profile, delivery block and claim read as
    /// nothing; the other customer reads whole.
    static func expectShredded(_ person: Person, _ written: Written, in database: Database) async throws {
        let actor = AuditActor(apiKeyID: nil, requestID: "proof")
        let erased = try #require(try await SubjectRepository(database: database).read(id: UUID(uuidString: written.subjectID)!, actor: actor))
        #expect(erased.externalRef == person.reference)
        #expect(erased.fullName == nil && erased.email == nil && erased.phone == nil && erased.registrationAddress == nil)
        let order = try #require(try await OrderRepository(database: database).read(id: UUID(uuidString: written.orderID)!, actor: actor))
        #expect(order.deliveryRecipientName == nil && order.deliveryPhone == nil && order.deliveryAddressLines == nil
            && order.deliveryCity == nil && order.deliveryPostalCode == nil)
        let claim = try #require(try await SubjectRequestRepository(database: database).read(id: UUID(uuidString: written.claimID)!, actor: actor))
        #expect(claim.record.claimText == nil)
        let indexed = try await database.query(
            "SELECT count(*) FROM subjects WHERE email_index IS NOT NULL AND id = \(UUID(uuidString: written.subjectID)!)"
        ).collect().first?.decode(Int.self)
        #expect(indexed == 1, "the row itself came back with the backup")
        let kept = try await SubjectRepository(database: database).read(id: UUID(uuidString: written.otherID)!, actor: actor)
        #expect(kept?.email == "other.\(person.token)@example.com")
    }

    /// Every WAL segment since `firstSegment` is still there and none holds a personal value in clear, while the
    /// subject's external reference, stored in clear, is found in them (so the scan reads the subject's writes).
    static func expectNoClearText(_ person: Person, inWALFrom firstSegment: String, _ cluster: Cluster) async throws {
        let lastSegment = try await TestDatabase.currentWALSegment()
        let segments = try cluster.walSegments(from: firstSegment, through: lastSegment)
        #expect(segments.first?.lastPathComponent == firstSegment && segments.last?.lastPathComponent == lastSegment,
                "every segment since the start is kept: \(firstSegment)…\(lastSegment), \(segments.map(\.lastPathComponent))")
        var referenceSeen = false
        for segment in segments {
            #expect(try Self.found(person.personal, in: segment).isEmpty, "\(segment.lastPathComponent)")
            referenceSeen = try referenceSeen || !Self.found([person.reference], in: segment).isEmpty
        }
        #expect(referenceSeen, "the WAL scanned holds the subject's writes (its external reference is in clear)")
    }
}
