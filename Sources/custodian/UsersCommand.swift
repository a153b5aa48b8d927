import ArgumentParser
import CustodianCore
import CustodianStore
import Foundation

/// `custodian users create|end-sessions`: the DPO console's people.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Create console users and end their sessions.",
        subcommands: [Create.self, Reset.self, EndSessions.self])

    /// Creates a user and prints the one-time enrolment link (valid 24 hours) where they set a password and TOTP.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a console user and print their one-time enrolment link.")

        @Option(help: "The user's e-mail address (their login).")
        var email: String

        @Option(help: "dpo (works requests; needs TOTP) or viewer (sees, never acts).")
        var role: ConsoleRole

        func run() async throws {
            let settings = Settings()
            let base = try settings.consoleBaseURL()
            let (user, token) = try await settings.withDatabase { database in
                do {
                    return try await ConsoleUserRepository(database: database).create(email: email, role: role)
                } catch let refusal as ConsoleEnrolmentRefusal {
                    switch refusal {
                    case .duplicate: throw ValidationError("a console user with this e-mail exists")
                    default: throw ValidationError("--email must be an e-mail address")
                    }
                }
            }
            let hours = Int(ConsoleSessionPolicy.enrolmentValidity / 3600)
            FileHandle.standardError.write(Data(
                "created \(user.role.rawValue) user \(user.id.uuidString.lowercased()); their one-time link, valid \(hours) h, is shown only now:\n".utf8))
            print("\(base)/console/enrol/\(token.text)")
        }
    }

    /// Prints a new one-time link for an existing user, to set a new password and TOTP.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new one-time enrolment link for an existing console user.")

        @Option(help: "The user's e-mail address.")
        var email: String

        func run() async throws {
            let settings = Settings()
            let base = try settings.consoleBaseURL()
            guard let (user, token) = try await settings.withDatabase({ database in
                try await ConsoleUserRepository(database: database).newEnrolment(email: email)
            }) else { throw ValidationError("no active console user has this e-mail") }
            FileHandle.standardError.write(Data("new one-time link for \(user.role.rawValue) user \(user.id.uuidString.lowercased()), shown only now:\n".utf8))
            print("\(base)/console/enrol/\(token.text)")
        }
    }

    /// Ends every session of a user at once (a lost laptop, a leaver).
    struct EndSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end-sessions", abstract: "End every console session of a user.")

        @Option(help: "The user's e-mail address.")
        var email: String

        func run() async throws {
            let ended = try await Settings().withDatabase { database in
                guard let user = try await ConsoleUserRepository(database: database).find(email: email) else {
                    throw ValidationError("no console user has this e-mail")
                }
                return try await ConsoleSessionRepository(database: database).endAll(userID: user.id)
            }
            print("ended \(ended) session(s)")
        }
    }
}

extension ConsoleRole: ExpressibleByArgument {}
