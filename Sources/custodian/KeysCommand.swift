import ArgumentParser
import CustodianCore
import CustodianStore
import Foundation

/// `custodian keys create|list|revoke`: API key management.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    /// Prints a new key once on stdout; only its hash is stored.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it once.")

        @Option(help: "A name saying who uses the key.")
        var name: String

        @Option(help: "shop or dpo.")
        var scope: APIKeyScope

        func validate() throws {
            guard (1...200).contains(name.count) else { throw ValidationError("--name must be 1 to 200 characters") }
        }

        func run() async throws {
            let (key, secret) = try await Settings().withDatabase { database in
                try await APIKeyRepository(database: database).create(name: name, scope: scope)
            }
            FileHandle.standardError.write(Data("created \(key.scope.rawValue) key \(key.id.uuidString.lowercased()) (\(key.name)); it is shown only now:\n".utf8))
            print(secret.token)
        }
    }

    /// Lists keys without secrets.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys.")

        func run() async throws {
            let keys = try await Settings().withDatabase { database in try await APIKeyRepository(database: database).list() }
            print("id\tscope\tcreated_at\trevoked_at\tname")
            for key in keys {
                let revoked = key.revokedAt.map { $0.formatted(.iso8601) } ?? "-"
                print("\(key.id.uuidString.lowercased())\t\(key.scope.rawValue)\t\(key.createdAt.formatted(.iso8601))\t\(revoked)\t\(key.name)")
            }
        }
    }

    /// Revokes a key; it stops working at once.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key at once.")

        @Argument(help: "The key's id (from keys list).")
        var id: String

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("ID must be a UUID") }
            let revoked = try await Settings().withDatabase { database in try await APIKeyRepository(database: database).revoke(id: uuid) }
            guard revoked else { throw ValidationError("no active key has id \(uuid)") }
            print("revoked \(uuid)")
        }
    }
}

extension APIKeyScope: ExpressibleByArgument {}
