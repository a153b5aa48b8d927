import CustodianCore
import CustodianOpenAPI
import CustodianQueue
import CustodianStore

extension APIHandler {
    func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        try Self.checkLengths([("kind", input.query.kind, 64)])
        let limit = try pageSize(input.query.limit)
        let after = try cursorKey(input.query.cursor) { $0.count <= 18 ? Int64($0) : nil }
        let jobs = try await administration.list(
            state: input.query.state.flatMap { JobState(rawValue: $0.rawValue) }, kind: input.query.kind, afterID: after, limit: limit)
        let next = nextCursor(jobs, limit: limit) { String($0.id) }
        return .ok(.init(body: .json(.init(items: try jobs.map(Components.Schemas.Job.init), nextCursor: next))))
    }

    func getJobStats(_ input: Operations.GetJobStats.Input) async throws -> Operations.GetJobStats.Output {
        let statistics = try await administration.statistics()
        return .ok(.init(body: .json(.init(
            counts: try statistics.counts.map { .init(kind: $0.kind, state: try jobState($0.state), count: $0.count) },
            oldestAvailableAgeSeconds: statistics.oldestAvailableAgeSeconds))))
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        guard let (job, attempts) = try await administration.find(id: input.path.jobId) else {
            throw Problem.notFound("job")
        }
        return .ok(.init(body: .json(.init(job: try .init(job), attempts: try attempts.map(Components.Schemas.JobAttempt.init)))))
    }

    func retryJob(_ input: Operations.RetryJob.Input) async throws -> Operations.RetryJob.Output {
        let job = try await administration.retry(id: input.path.jobId, alongside: AuditRepository.jobCommand(by: RequestScope.actor))
        return .ok(.init(body: .json(try .init(job))))
    }

    func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        let job = try await administration.cancel(id: input.path.jobId, alongside: AuditRepository.jobCommand(by: RequestScope.actor))
        return .ok(.init(body: .json(try .init(job))))
    }
}

extension APIHandler {
    /// The queue's operator view, with the domain's hooks for what a retried or cancelled job serves.
    var administration: JobAdministration {
        JobAdministration(database: database, hooks: DomainJobs.hooks)
    }

}

/// A job state as the API enum; one the API does not know is a broken invariant (500).
private func jobState(_ state: JobState) throws -> Components.Schemas.JobState {
    guard let mapped = Components.Schemas.JobState(rawValue: state.rawValue) else { throw EnumMismatch(value: state.rawValue) }
    return mapped
}

extension Components.Schemas.Job {
    init(_ job: JobRecord) throws {
        self.init(
            id: job.id, kind: job.kind, state: try jobState(job.state), payload: .init(additionalProperties: job.payload),
            priority: job.priority, attempt: job.attempt, maxAttempts: job.maxAttempts, runAt: job.runAt, leaseOwner: job.leaseOwner,
            leaseExpiresAt: job.leaseExpiresAt, uniqueKey: job.uniqueKey, lastError: job.lastError, createdAt: job.createdAt,
            updatedAt: job.updatedAt, finishedAt: job.finishedAt)
    }

}

extension Components.Schemas.JobAttempt {
    init(_ attempt: JobAttemptRecord) throws {
        guard let outcome = OutcomePayload(rawValue: attempt.outcome) else { throw EnumMismatch(value: attempt.outcome) }
        self.init(
            attempt: attempt.attempt, worker: attempt.worker, startedAt: attempt.startedAt, durationMs: attempt.durationMilliseconds,
            outcome: outcome, httpStatus: attempt.httpStatus, error: attempt.error)
    }
}
