import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation
import Hummingbird

/// The pages that run the machinery: erasure cascades per recipient, and the job queue with retry and cancel.
struct OperationsPages: ConsolePageGroup {
    let shared: ConsolePages

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("cascades") { request, _ in try await cascades(request) }
        console.get("queue") { request, _ in try await queue(request) }
        console.post("jobs/:id/:command") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { throw ConsoleFailure.notFound }
            return try await jobCommand(request, id: id, command: context.parameters.require("command"))
        }
    }


    private func cascades(_ request: Request) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        let format = format(signedIn)
        let now = Date()
        let rows = try await ConsoleCascades(database: database).open(limit: 200).map { delivery in
            CascadeRow(
                cascadeID: delivery.cascadeID.lowercasedString, subjectID: delivery.subjectID.lowercasedString, recipient: delivery.recipientName,
                status: format.text("erasure_" + delivery.status.rawValue), statusCode: delivery.status.rawValue,
                waiting: format.text("hours_waiting", Int(now.timeIntervalSince(delivery.sentAt ?? delivery.updatedAt) / 3600)),
                sent: format.time(delivery.sentAt), failure: delivery.failureReason ?? "", jobID: delivery.jobID.map(String.init),
                canRetry: delivery.status == .failed && delivery.jobID != nil, canCancel: delivery.status == .pending && delivery.jobID != nil)
        }
        return renderer.page("cascades", title: "cascades_title", chrome: signedIn.chrome, page: CascadesView(rows: rows))
    }

    private func queue(_ request: Request) async throws -> Response {
        let signedIn = try await guardian.signedIn(request)
        let format = format(signedIn)
        let administration = JobAdministration(database: database, hooks: DomainJobs.hooks)
        let statistics = try await administration.statistics()
        let counts = Dictionary(grouping: statistics.counts, by: \.kind).sorted { $0.key < $1.key }.map { kind, rows in
            QueueCountRow(kind: kind, states: JobState.allCases.map { state in rows.first { $0.state == state }?.count ?? 0 })
        }
        let throughput = try await ConsoleActivity(database: database).throughput(lastSeconds: 3600)
        let failed = try await administration.list(state: .failed, kind: nil, afterID: nil, limit: 100)
        let held = try await administration.list(state: .held, kind: nil, afterID: nil, limit: 100)
        let view = QueueView(
            states: JobState.allCases.map { format.text("job_" + $0.rawValue) }, counts: counts,
            throughput: throughput.map { ThroughputRow(kind: $0.kind, state: format.text("job_" + $0.state), count: $0.count) },
            oldestWaiting: statistics.oldestAvailableAgeSeconds.map { format.text("seconds", Int($0)) },
            failed: failed.map { JobRow($0, format: format) }, held: held.map { JobRow($0, format: format) })
        return renderer.page("queue", title: "queue_title", chrome: signedIn.chrome, page: view)
    }

    private func jobCommand(_ request: Request, id: Int64, command: String) async throws -> Response {
        let (signedIn, form) = try await guardian.action(request)
        let administration = JobAdministration(database: database, hooks: DomainJobs.hooks)
        let alongside = AuditRepository.jobCommand(by: signedIn.actor)
        do {
            switch command {
            case "retry": _ = try await administration.retry(id: id, alongside: alongside)
            case "cancel": _ = try await administration.cancel(id: id, alongside: alongside)
            default: throw ConsoleFailure.notFound
            }
        } catch let refusal as JobCommandRefusal {
            switch refusal {
            case .notFound: throw ConsoleFailure.notFound
            default: throw ConsoleFailure.conflict(messageKey: "error_job_state")
            }
        }
        let back = form["back"].flatMap { $0 == "/console/cascades" ? $0 : nil } ?? "/console/queue"
        return Response(status: .seeOther, headers: [.location: back])
    }
}

/// The cascades page.
struct CascadesView {
    let rows: [CascadeRow]
}

/// One recipient's erasure request not yet confirmed.
struct CascadeRow {
    let cascadeID: String
    let subjectID: String
    let recipient: String
    let status: String
    let statusCode: String
    let waiting: String
    let sent: String
    let failure: String
    let jobID: String?
    let canRetry: Bool
    let canCancel: Bool
}

/// The queue page.
struct QueueView {
    let states: [String]
    let counts: [QueueCountRow]
    let throughput: [ThroughputRow]
    let oldestWaiting: String?
    let failed: [JobRow]
    let held: [JobRow]
}

/// Jobs of one kind per state, in ``JobState`` order.
struct QueueCountRow {
    let kind: String
    let states: [Int]
}

/// Jobs of one kind that finished in one state in the last hour.
struct ThroughputRow {
    let kind: String
    let state: String
    let count: Int
}

/// A failed or held job with its last error.
struct JobRow {
    let id: String
    let kind: String
    let attempts: String
    let error: String
    let updated: String
    let canRetry: Bool

    init(_ job: JobRecord, format: ConsoleFormat) {
        id = String(job.id)
        kind = job.kind
        attempts = "\(job.attempt)/\(job.maxAttempts)"
        error = job.lastError ?? ""
        updated = format.time(job.updatedAt)
        canRetry = job.state == .failed
    }
}
