@testable import CustodianCore
import Foundation
import Testing

/// How `custodian import` reads and checks one customer: the API's members and rules, every fault named by its path,
/// no value ever repeated.
@Suite("Import lines")
struct CustomerImportLineTests {
    static let policyID = UUID()
    static let textID = UUID()
    static let catalogue = ImportCatalogue(
        purposes: [
            "newsletter": .init(legalBasis: .consent, requiresConsent: true, retired: false),
            "advertising": .init(legalBasis: .consent, requiresConsent: true, retired: true),
            "delivery": .init(legalBasis: .contract, requiresConsent: false, retired: false),
        ],
        policyVersions: ["p1": .init(id: policyID, effectiveAt: RFC3339.date(from: "2021-01-01T00:00:00Z")!)],
        consentTexts: ["t1": .init(id: textID, effectiveAt: RFC3339.date(from: "2021-01-01T00:00:00Z")!, purposes: ["newsletter"])])
    static let now = RFC3339.date(from: "2026-12-06T00:00:00Z")!

    static func errors(_ json: String) -> [FieldError] {
        do {
            _ = try CustomerImportLine.decode(json: Array(json.utf8)).validated(against: catalogue, now: now)
            return []
        } catch {
            return error.errors
        }
    }

    static func consent(_ members: String) -> String {
        #"{"external_ref":"c-1","full_name":"Ann","consents":[{\#(members)}]}"#
    }

    @Test("a whole customer reads with its history and orders; null is absent")
    func readsCustomer() throws {
        let customer = try CustomerImportLine.decode(json: Array("""
            {"external_ref":" c-1 ","full_name":"Ann","email":"ANN@Example.org","phone":null,"locale":"en-GB","has_account":false,
             "consents":[{"purpose":"newsletter","action":"grant","policy_version":"p1","consent_text":"t1","channel":"web_form",
                          "occurred_at":"2022-01-01T10:00:00+03:00","evidence":{"ip_address":"198.51.100.23","user_agent":null}}],
             "orders":[{"external_ref":"o-1","currency":"EUR","total_minor":300,"items":[{"sku":"A","name":"A","quantity":3,"unit_price_minor":100}],
                        "delivery":{"recipient_name":"Ann","phone":"+49 30 1234567","address_lines":["Str. 1"],"city":"Berlin","country":"de"},
                        "status":"paid","placed_at":"2025-01-01T00:00:00Z"}]}
            """.utf8)).validated(against: Self.catalogue, now: Self.now)
        #expect(customer.subject.externalRef == "c-1" && customer.subject.phone == nil && !customer.subject.hasAccount)
        #expect(customer.consents == [ImportedCustomer.ConsentEvent(
            purpose: "newsletter", action: .grant, policyVersionID: Self.policyID, consentTextID: Self.textID, channel: .webForm,
            occurredAt: RFC3339.date(from: "2022-01-01T07:00:00Z")!,
            evidence: try ConsentEvidence(ipAddress: "198.51.100.23", userAgent: nil, formID: nil))])
        #expect(customer.consents.first?.evidence.ipAddress == "198.51.100.0", "the address is truncated as the API truncates it")
        let order = try #require(customer.orders.first)
        #expect(order.status == .paid && order.placedAt == RFC3339.date(from: "2025-01-01T00:00:00Z"))
        #expect(order.order.delivery.country == "DE" && order.order.delivery.phone == "+49301234567")
    }

    @Test("a line that is not JSON, a missing member, a wrong type and an unknown member are each named, never quoted")
    func shapeFaults() {
        #expect(Self.errors("{not json secret@example.org") == [FieldError(field: "line", message: "is not valid JSON")])
        #expect(Self.errors(#"{"full_name":"Ann"}"#) == [FieldError(field: "external_ref", message: "is required")])
        #expect(Self.errors(#"{"external_ref":"c","full_name":"Ann","has_account":"secret@example.org"}"#)
            == [FieldError(field: "has_account", message: "has the wrong type")])
        #expect(Self.errors(#"{"external_ref":"c","full_name":"Ann","emial":"secret@example.org"}"#)
            == [FieldError(field: "emial", message: "is not a member the import knows")])
        #expect(Self.errors(#"{"external_ref":"c","full_name":"Ann","secret@example.org":true}"#)
            == [FieldError(field: "(a member)", message: "is not a member the import knows")], "a member named by personal data is not named")
        #expect(Self.errors(Self.consent(#""purpose":"newsletter","action":"grant","policy_version":"p1","channel":"api","occurred_at":"2022-01-01T00:00:00Z","evidence":{"ip":"1.2.3.4"}"#))
            == [FieldError(field: "consents.0.evidence.ip", message: "is not a member the import knows")])
    }

    @Test("every invalid member of a customer is listed by its path, and no message repeats a value")
    func validationFaults() {
        let errors = Self.errors("""
            {"external_ref":"c-1","full_name":"Ann","email":"secret-at-example.org",
             "consents":[{"purpose":"newsletter","action":"grant","policy_version":"p9","channel":"privacy_center","occurred_at":"yesterday"},
                         {"purpose":"newsletter","action":"withdraw","policy_version":"p1","channel":"api","occurred_at":"2022-01-01T00:00:00Z",
                          "evidence":{"ip_address":"secret"}}],
             "orders":[{"external_ref":"o-1","currency":"rub","total_minor":5,"items":[{"sku":"A","name":"A","quantity":1,"unit_price_minor":4}],
                        "delivery":{"recipient_name":"Ann","phone":"secret","address_lines":["x"],"city":"Y","country":"RU"},"status":"lost"},
                       {"external_ref":"o-1","currency":"RUB","total_minor":4,"items":[{"sku":"A","name":"A","quantity":1,"unit_price_minor":4}],
                        "delivery":{"recipient_name":"Ann","phone":"+79990000000","address_lines":["x"],"city":"Y","country":"RU"}}]}
            """)
        #expect(errors.map(\.field) == [
            "email", "consents.0.channel", "consents.0.occurred_at", "consents.0.policy_version", "consents.1.evidence.ip_address",
            "orders.0.status", "orders.0.total_minor", "orders.0.currency", "orders.0.delivery.phone", "orders.1.external_ref",
        ])
        #expect(!errors.contains { $0.message.contains("secret") || $0.message.contains("yesterday") })
    }

    @Test("each consent event passes the API's consent rules, the subject taken as new and active")
    func consentRules() {
        let base = #""action":"grant","policy_version":"p1","channel":"api""#
        #expect(Self.errors(Self.consent(#""purpose":"delivery",\#(base),"occurred_at":"2022-01-01T00:00:00Z""#))
            == [FieldError(field: "consents.0.purpose", message: "is processed on the legal basis contract, not consent")])
        #expect(Self.errors(Self.consent(#""purpose":"newsletter",\#(base),"occurred_at":"2020-06-01T00:00:00Z","consent_text":"t1""#))
            == [FieldError(field: "consents.0.policy_version", message: "was not yet in effect at occurred_at")])
        #expect(Self.errors(Self.consent(#""purpose":"newsletter",\#(base),"occurred_at":"2022-01-01T00:00:00Z""#))
            == [FieldError(field: "consents.0.consent_text", message: "is required for a grant once consent texts are registered")])
        #expect(Self.errors(Self.consent(#""purpose":"advertising",\#(base),"occurred_at":"2022-01-01T00:00:00Z","consent_text":"t1""#))
            == [FieldError(field: "consents.0.purpose", message: "is retired and takes no grants")])
        #expect(Self.errors(Self.consent(#""purpose":"newsletter",\#(base),"occurred_at":"2027-01-01T00:00:00Z","consent_text":"t1""#))
            == [FieldError(field: "consents.0.occurred_at", message: "must not lie in the future")])
        #expect(Self.errors(Self.consent(#""purpose":"advertising","action":"withdraw","policy_version":"p1","channel":"api","occurred_at":"2022-01-01T00:00:00Z""#))
            == [], "a withdrawal needs no consent text and passes a retired purpose")
    }

    @Test("CSV: quoted fields with commas, quotes and line breaks, CRLF, and the line each record starts on")
    func splitsCSV() {
        var splitter = CSVRecordSplitter()
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\nlast,,\"\""
        // Fed in two pieces, split inside a quoted field.
        let cut = text.utf8.index(text.utf8.startIndex, offsetBy: 12)
        var records = splitter.feed(text.utf8[..<cut])
        records += splitter.feed(text.utf8[cut...])
        records += [splitter.finish()].compactMap { $0 }
        #expect(records == [
            .init(line: 1, fields: ["a", "b", "c"]),
            .init(line: 2, fields: ["x, y", "say \"hi\"", "two\nlines"]),
            .init(line: 5, fields: ["last", "", ""]),
        ])
    }

    @Test("CSV: a quote inside an unquoted field is a character; invalid UTF-8 and an unclosed quote are faults, not guesses")
    func csvFaults() {
        var splitter = CSVRecordSplitter()
        var records = splitter.feed(Array("c-1,ООО \"Ромашка\",x\n".utf8) + [0x63, 0x2D, 0x32, 0x2C, 0xCF, 0xF0, 0x0A] + Array("c-3,\"open\nc-4,lost\n".utf8))
        records += [splitter.finish()].compactMap { $0 }
        #expect(records == [
            .init(line: 1, fields: ["c-1", "ООО \"Ромашка\"", "x"]),
            .init(line: 2, fields: ["c-2", ""], fault: "is not UTF-8 text"),
            .init(line: 3, fields: ["c-3", "open\nc-4,lost\n"], fault: "has a quoted field that is never closed"),
        ])
    }

    static func csv(_ text: String) throws -> [ImportEntry] {
        var splitter = CSVRecordSplitter()
        var records = splitter.feed(text.utf8)
        records += [splitter.finish()].compactMap { $0 }
        var reader = try CustomerCSV(header: records.removeFirst().fields)
        var entries = records.compactMap { reader.add($0) }
        entries += [reader.finish()].compactMap { $0 }
        return entries
    }

    @Test("CSV: consecutive rows of one external_ref are one customer with one event per row")
    func groupsCSVRows() throws {
        let entries = try Self.csv("""
            \u{FEFF}external_ref,full_name,email,consent_purpose,consent_action,consent_policy_version,consent_text,consent_channel,consent_occurred_at
            c-1,Ann,ann@example.org,newsletter,grant,p1,t1,web_form,2022-01-01T00:00:00Z
            c-1,,,newsletter,withdraw,p1,,email_link,2023-01-01T00:00:00Z
            c-2,Bob,,,,,,,
            c-3,Cid,cid@example.org,newsletter,grant,p1,t1,web_form,2022-01-01T00:00:00Z
            c-3,Other,,newsletter,,p1,,web_form,2023-01-01T00:00:00Z
            ,,,,,,,,
            c-4,Dan,,,,,,,,extra
            c-5,Eve,,,,,,,,,
            """)
        #expect(entries.map(\.line) == [2, 4, 5, 8, 9], "the row of empty cells is skipped")
        let ann = try entries[0].customer.get().validated(against: Self.catalogue, now: Self.now)
        #expect(ann.subject.email == "ann@example.org" && ann.consents.map(\.action) == [.grant, .withdraw])
        let bob = try entries[1].customer.get()
        #expect(bob.consents.isEmpty && bob.email == nil)
        #expect(throws: ValidationFailure([
            FieldError(field: "row 2.full_name", message: "differs from the customer's first row"),
            FieldError(field: "consents.1.action", message: "is required (row 2 of the customer)"),
        ])) { try entries[2].customer.get() }
        #expect(throws: ValidationFailure([FieldError(field: "line", message: "has more cells than the header has columns")])) {
            try entries[3].customer.get()
        }
        #expect(try entries[4].customer.get().fullName == "Eve", "empty cells beyond the header's columns are nothing")
    }

    @Test("CSV: a header with an unknown or repeated column, or without external_ref, refuses the file")
    func refusesHeaders() {
        #expect(throws: CustomerCSV.HeaderError.self) { try CustomerCSV(header: ["external_ref", "full_name", "emial"]) }
        #expect(throws: CustomerCSV.HeaderError.self) { try CustomerCSV(header: ["external_ref", "full_name", "full_name"]) }
        #expect(throws: CustomerCSV.HeaderError.self) { try CustomerCSV(header: ["full_name", "email"]) }
        do {
            _ = try CustomerCSV(header: ["c-1", "Anna Secret", "anna@example.org"])
            Issue.record("a header of data was taken")
        } catch {
            #expect(error.description == "column 1 is not a column the import knows", "a cell that is no column name is not repeated")
        }
    }
}
