import CustodianCore
import CustodianStore
import Logging
import ServiceLifecycle

/// Records the operator's identity (`CUSTODIAN_CONTROLLER_*`) in the database when `serve` or `work` starts, so every
/// destruction act written from then on names it, and warns when the process connected as the owner of the tables
/// (it could disable the append-only triggers); retries while the database is unreachable, then waits for shutdown.
struct OperatorRecording: Service {
    let database: Database
    let identity: OperatorIdentity
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            do {
                try await ControllerSettingsRepository(database: database).record(operator: identity)
                if try await ApplicationRolePrivileges.connectedRoleOwnsEvidence(on: database) {
                    logger.warning("connected as the owner of the tables or a superuser: use an application role (DATABASE_URL) and run migrate as the owner (MIGRATION_DATABASE_URL)")
                }
                break
            } catch {
                logger.warning("could not record the operator's identity yet; retrying", metadata: ["error.type": "\(type(of: error))"])
                try? await Task.sleep(for: .seconds(2))
            }
        }
        try? await gracefulShutdown()
    }
}
