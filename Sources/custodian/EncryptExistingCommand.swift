import ArgumentParser
import CustodianStore
import Foundation

/// `custodian encrypt-existing`: seals the personal data written before encryption, in batches, with a progress bar.
/// Restartable: run it again after an interruption and it goes on where it stopped.
struct EncryptExistingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt-existing",
        abstract: "Seal personal data written before encryption under each subject's key (restartable, in batches).")

    @Option(help: "Subjects per transaction.")
    var batch = 200

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1 to 10000") }
    }

    func run() async throws {
        let settings = Settings()
        let keys = try settings.personalDataKeys
        let (sealed, conflicting, recipients) = try await settings.withDatabase(personalDataKeys: keys) { database in
            let sealing = ExistingDataSealing(database: database)
            let progress = ProgressLine(total: try await sealing.remaining(), label: "subjects sealed")
            var sealed = 0
            var conflicting: Set<UUID> = []
            try await walkInPasses(from: UUID?.none) { after in
                let result = try await sealing.sealBatch(limit: batch, after: after, skipping: conflicting)
                sealed += result.sealed.count
                conflicting.formUnion(result.conflicting)
                progress.show(sealed + conflicting.count)
                return (result.sealed.count, result.last.map { .some($0) })
            }
            progress.finish(sealed + conflicting.count)
            let recipients = try await sealing.sealRecipientSecrets()
            return (sealed, conflicting, recipients)
        }
        print("\(sealed) subject(s) sealed")
        print("\(recipients) recipient(s)' secrets sealed")
        if !conflicting.isEmpty {
            print("\(conflicting.count) subject(s) skipped: another subject holds the same e-mail; resolve, then run again:")
            for id in conflicting.sorted(by: { $0.uuidString < $1.uuidString }) { print("  \(id.uuidString.lowercased())") }
            throw ExitCode(2)
        }
    }
}
