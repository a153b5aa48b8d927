import CustodianCore
import CustodianQueue
import CustodianWorker
import Foundation

/// The benchmark's job kind: a job whose only work is one signed POST.
enum BenchPostJob: JobKind {
    typealias Payload = EmptyPayload
    static let name = "bench_post"
    static let maximumAttempts = 25
    static let defaultConcurrency = 64
}

/// One signed POST of the job's id to the sink's `/email/messages` per job, and no other database access than the
/// queue's own claim and complete: the handler the issue's drain benchmark describes.
struct SignedPostHandler: JobHandler {
    typealias Kind = BenchPostJob
    let concurrency: Int
    let client: OutboundClient
    let sink: OutboundTarget

    func run(_ job: Job<Kind>) async -> JobOutcome {
        let body = Data(#"{"job_id":\#(job.id)}"#.utf8)
        return await client.post(to: sink, path: "/email/messages", body: body, webhookID: "msg_job\(job.id)_bench").outcome
    }
}
