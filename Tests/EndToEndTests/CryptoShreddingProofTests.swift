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

    @Test("a dump taken before the erasure, restored with today's keys, shows nothing of the subject; no personal data in clear in the dump or the WAL")
    func proof() async throws {
        let cluster = try Cluster()
        let token = String((0..<10).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let digits = String((0..<7).map { _ in "0123456789".randomElement()! })
        let person = (
            name: "Шредер Proof\(token)", email: "shred.\(token)@example.com", phone: "+7916\(digits)",
            address: "Shredding lane \(token), 1", deliveryName: "Deliver Proof\(token)", deliveryLine: "Courier street \(token), 2",
            city: "Proofcity\(token)", correction: "Corrected avenue \(token), 3", claim: "My claim about \(token) stays private")
        let personal = [person.name, person.email, person.phone, person.address, person.deliveryName, person.deliveryLine, person.city,
                        person.correction, person.claim]
        let reference = "proof-ref-\(token)"
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("custodian-proof-\(token)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        try await TestDatabase.withWALRetained { firstSegment in
            try await EndToEndStack.run { stack in
                let (_, _, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
                // With an Idempotency-Key: the stored response, which repeats the data, is sealed too.
                let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
                    {"external_ref":"\(reference)","full_name":"\(person.name)","email":"\(person.email)","phone":"\(person.phone)",
                     "registration_address":"\(person.address)"}
                    """, headers: [HTTPField.Name("Idempotency-Key")!: "proof-\(token)"])
                let subjectID = try #require(subject["id"] as? String)
                #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM idempotency_keys WHERE subject_id = '\(subjectID)'") == 1)
                let order = try await stack.request(.post, "/v1/orders", key: shop, json: """
                    {"subject_id":"\(subjectID)","external_ref":"\(reference)-order","currency":"RUB","total_minor":1000,
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
                // Another customer, not erased: the restored backup must still read it.
                let other = try await stack.request(.post, "/v1/subjects", key: shop, json: """
                    {"external_ref":"\(reference)-other","full_name":"Other Person","email":"other.\(token)@example.com"}
                    """)
                let otherID = try #require(other["id"] as? String)

                // 1. The long-lived backup: the data without the keys.
                let dump = work.appendingPathComponent("data.sql")
                try cluster.run("pg_dump", ["--no-owner", "--no-privileges", "--exclude-schema=custodian_keys", "--file", dump.path, try cluster.url(stack.databaseName)])
                #expect(try Self.found([reference], in: dump) == [reference], "the dump holds the subject's row")

                // 2. The erasure, its cascade delivered.
                let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: identity)
                _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)
                try await EndToEndStack.waitFor { try await SubjectRequestWorkTests.status(stack, dpo: dpo, erasure) == "completed" }

                // 3. Restored into a new database, with the keys as they are now.
                let keysDump = work.appendingPathComponent("keys.sql")
                try cluster.run("pg_dump", ["--no-owner", "--no-privileges", "--schema=custodian_keys", "--file", keysDump.path, try cluster.url(stack.databaseName)])
                let restored = "restored_\(token)"
                try await TestDatabase.withEmptyDatabase(named: restored) {
                    try cluster.run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", dump.path, try cluster.url(restored)])
                    try cluster.run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", keysDump.path, try cluster.url(restored)])
                    // 4. Nothing of the erased subject opens; the other customer does.
                    try await TestDatabase.running(TestDatabase.pool(database: restored, role: .administrator)) { database in
                        let actor = AuditActor(apiKeyID: nil, requestID: "proof")
                        let erased = try #require(try await SubjectRepository(database: database).read(id: UUID(uuidString: subjectID)!, actor: actor))
                        #expect(erased.externalRef == reference)
                        #expect(erased.fullName == nil && erased.email == nil && erased.phone == nil && erased.registrationAddress == nil)
                        let restoredOrder = try #require(try await OrderRepository(database: database).read(id: UUID(uuidString: orderID)!, actor: actor))
                        #expect(restoredOrder.deliveryRecipientName == nil && restoredOrder.deliveryPhone == nil
                            && restoredOrder.deliveryAddressLines == nil && restoredOrder.deliveryCity == nil && restoredOrder.deliveryPostalCode == nil)
                        let claim = try #require(try await SubjectRequestRepository(database: database).read(id: UUID(uuidString: claimID)!, actor: actor))
                        #expect(claim.record.claimText == nil)
                        #expect(try await database.query("SELECT count(*) FROM subjects WHERE email_index IS NOT NULL AND id = \(UUID(uuidString: subjectID)!)")
                            .collect().first?.decode(Int.self) == 1, "the row itself came back with the backup")
                        let kept = try await SubjectRepository(database: database).read(id: UUID(uuidString: otherID)!, actor: actor)
                        #expect(kept?.email == "other.\(token)@example.com")
                    }
                }

                // 5. No personal data in clear in either dump or anywhere in the WAL.
                #expect(try Self.found(personal, in: dump).isEmpty)
                #expect(try Self.found(personal, in: keysDump).isEmpty)
                let lastSegment = try await TestDatabase.currentWALSegment()
                let segments = try cluster.walSegments(from: firstSegment, through: lastSegment)
                #expect(segments.first?.lastPathComponent == firstSegment && segments.last?.lastPathComponent == lastSegment, "every segment since the start is kept: \(firstSegment)…\(lastSegment), \(segments.map(\.lastPathComponent))")
                var referenceSeen = false
                for segment in segments {
                    #expect(try Self.found(personal, in: segment).isEmpty, "\(segment.lastPathComponent)")
                    referenceSeen = try referenceSeen || !Self.found([reference], in: segment).isEmpty
                }
                #expect(referenceSeen, "the WAL scanned holds the subject's writes (its external reference is in clear)")
            }
        }
    }
}
