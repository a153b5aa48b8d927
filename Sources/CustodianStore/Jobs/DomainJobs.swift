import CustodianQueue
import Logging
import PostgresNIO

/// What the domain decides about its job kinds as a whole, and what the queue must do to the records they serve.
public enum DomainJobs {
    /// The kinds whose jobs disclose the subject's data to a third party: held while the subject is restricted
    /// (152-FZ Art. 21(1), GDPR Art. 18), cancelled when it is erased. Jobs that only reduce what a recipient holds
    /// (opt-outs, erasure requests) run regardless, so they are not listed; a consent change notice decides per notice
    /// (a grant is a new disclosure, a withdrawal is not: ``RecipientMessage``).
    public static let disclosing: [String] = [CourierTransferJob.name, RectificationNoticeJob.name]

    /// The lifecycles of the records jobs serve, and the sweep that releases held jobs whose subject is active again
    /// (a job that found its subject restricted while the restriction was being lifted is recorded held after the
    /// lift released the others).
    public static let hooks: JobHooks = {
        var hooks = JobHooks()
        hooks.register(CourierTransferJob.self, lifecycle: ServedRecordLifecycle(table: "shipments", noun: "transfer", holdsIdentities: false))
        hooks.register(ErasureRequestJob.self, lifecycle: ServedRecordLifecycle(
            table: "erasure_requests", noun: "erasure", holdsIdentities: true, settled: SubjectRequestSettlement.afterErasureRequestsChanged))
        hooks.register(RectificationNoticeJob.self, lifecycle: ServedRecordLifecycle(
            table: "rectification_notices", noun: "notice", holdsIdentities: true, settled: SubjectRequestSettlement.afterNoticesChanged))
        hooks.register(RestrictionNoticeJob.self, lifecycle: ServedRecordLifecycle(
            table: "restriction_notices", noun: "restriction notice", holdsIdentities: true))
        hooks.register(ConsentChangeNoticeJob.self, lifecycle: ServedRecordLifecycle(
            table: "consent_change_notices", noun: "consent change notice", holdsIdentities: false))
        hooks.addSweep { connection, logger in
            try await connection.query("""
                UPDATE jobs SET state = 'available', run_at = now(), updated_at = now()
                WHERE state = 'held' AND subject_id IN (SELECT id FROM subjects WHERE status = 'active')
                """, logger: logger)
        }
        return hooks
    }()
}
