import ArgumentParser
import CustodianCore
import Logging
import PartnerSim
import ServiceLifecycle

/// `custodian partners`: the simulated e-mail provider for the demo and for tests.
struct PartnersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partners", abstract: "Run PartnerSim, a simulated e-mail provider, on 127.0.0.1.")

    @Option(help: "The port to listen on.")
    var port: Int = 9090

    @Option(help: "The Standard Webhooks secret (whsec_…) requests must be signed with.")
    var secret: String

    func run() async throws {
        guard let signingSecret = StandardWebhooksSecret(secret) else { throw ValidationError("--secret must be whsec_ followed by base64 of 24 to 64 bytes") }
        let settings = Settings()
        JSONLogHandler.bootstrap(level: try settings.logLevel)
        let logger = Logger(label: "custodian.partners")
        let sim = PartnerSim.build(port: port, secret: signingSecret, logger: logger)
        try await ServiceGroup.runUntilSignalled([sim], shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
