import ArgumentParser

/// The one executable: API, worker, migrations and key management.
@main
struct Custodian: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Custodian keeps an online shop's personal-data promises, with proof.",
        discussion: "Configuration comes from environment variables; see the README.",
        subcommands: [ServeCommand.self, WorkCommand.self, MigrateCommand.self, KeysCommand.self, UsersCommand.self, ReceiptKeyCommand.self, KEKCommand.self, EncryptExistingCommand.self, ImportCommand.self])
}
