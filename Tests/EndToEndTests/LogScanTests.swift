import CustodianTestSupport
import Logging
import Testing

/// The scan every end-to-end test's logs go through finds what it must, so its silence means something.
@Suite("Log scan")
struct LogScanTests {
    @Test("planted personal data is found: a name, an e-mail (also percent-encoded), a phone in another notation")
    func findsPlantedData() {
        let sent = SentPersonalData()
        sent.record(json: #"{"full_name":"Пётр Кузнецов","email":"petr@example.com","phone":"+7 903 777-00-01","postal_code":"420000"}"#)
        sent.record(uri: "/v1/subjects?email=anna%40example.com")
        for planted in ["user Пётр Кузнецов", "to=petr%40example.com", "phone 79037770001", "found anna@example.com"] {
            let logs = CapturedLogs()
            logs.logger(level: .debug).info("request", metadata: ["route": "/v1/subjects", "note": "\(planted)"])
            #expect(!PersonalData.findings(in: logs.text, needles: sent.needles).isEmpty, "\(planted)")
        }
        let clean = CapturedLogs()
        clean.logger().info("request", metadata: ["route": "/v1/subjects", "status": "201", "postal": "420000", "duration_ms": "3.2"])
        #expect(PersonalData.findings(in: clean.text, needles: sent.needles).isEmpty)
    }
}
