import ArgumentParser
import CustodianCore
import Foundation
import Logging
import PartnerSim
import ServiceLifecycle

/// `partnersim`: every simulated partner (e-mail provider, courier, erasure and rectification recipient) on
/// 127.0.0.1, for the demo (`scripts/run`), the test scripts and the benchmarks. Not part of the production binary.
@main
struct PartnerSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partnersim", abstract: "Run PartnerSim, the simulated partners, on 127.0.0.1.",
        discussion: "Logs go to stderr at CUSTODIAN_LOG_LEVEL (info).")

    @Option(help: "The port to listen on.")
    var port: Int = 9090

    @Option(help: "The Standard Webhooks secret (whsec_…) requests must be signed with.")
    var secret: String

    func run() async throws {
        guard let signingSecret = StandardWebhooksSecret(secret) else { throw ValidationError("--secret must be whsec_ followed by base64 of 24 to 64 bytes") }
        let level = Logger.Level(rawValue: (ProcessInfo.processInfo.environment["CUSTODIAN_LOG_LEVEL"] ?? "info").lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "partnersim")
        let sim = PartnerSim.build(port: port, secret: signingSecret, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: sim)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
