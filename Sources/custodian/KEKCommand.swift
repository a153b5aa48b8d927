import ArgumentParser
import CustodianCore
import CustodianStore
import Foundation

/// `custodian kek new|rotate`: the key-encryption keys that wrap the subjects' data keys.
struct KEKCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kek", abstract: "Make a key-encryption key, or rewrap every data key under the current one.",
        subcommands: [New.self, Rotate.self])

    /// Prints a new KEK setting.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new key-encryption key (id:base64) for CUSTODIAN_KEK_FILE.")

        @Option(help: "The key's id (letters, digits, - or _).")
        var id = "k" + String(Int(Date().timeIntervalSince1970))

        func run() throws {
            let setting = KeyEncryptionKey.newSetting(id: id)
            guard KeyEncryptionKey(setting: setting) != nil else { throw ValidationError("--id must be 1 to 32 letters, digits, - or _") }
            print(setting)
        }
    }

    /// Rewraps every data key under the current KEK; the data stays as it is.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrap every data key under the current KEK (the first in CUSTODIAN_KEK_FILE), keeping the old KEK listed until it is done.")

        @Option(help: "Keys per transaction.")
        var batch = 500

        func run() async throws {
            let settings = Settings()
            let keys = try settings.personalDataKeys
            let done = try await settings.withDatabase(personalDataKeys: keys) { database in
                let rotation = KeyRotation(database: database)
                let total = try await rotation.remaining()
                let progress = ProgressLine(total: total, label: "rewrapped")
                var done = 0
                try await walkInPasses(from: KeyRotation.Position()) { position in
                    let (count, next) = try await rotation.rewrapBatch(limit: batch, from: position)
                    done += count
                    progress.show(done)
                    return (count, next)
                }
                progress.finish(done)
                return (done, try await rotation.resealRecipientSecrets())
            }
            print("\(done.0) data key(s) and \(done.1) recipient(s)' secrets now wrapped by \(keys.current.id); previous KEKs may be dropped from CUSTODIAN_KEK_FILE")
        }
    }
}
