import ArgumentParser
import CustodianCore

/// `custodian receipt-key`: prints a new consent-receipt signing key for `CUSTODIAN_RECEIPT_SIGNING_KEY`.
struct ReceiptKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt-key",
        abstract: "Print a new Ed25519 key for signing consent receipts (base64url, for CUSTODIAN_RECEIPT_SIGNING_KEY).")

    func run() {
        print(ReceiptSigningKey.generate())
    }
}
