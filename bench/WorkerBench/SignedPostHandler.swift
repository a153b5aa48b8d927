import CustodianCore
import CustodianStore
import CustodianWorker
import Foundation

/// One signed POST of the job's id to the sink's `/email/messages` per job, and no other database access than the
/// queue's own claim and complete: the handler the issue's drain benchmark describes.
struct SignedPostHandler: JobHandler {
    let kind = "bench_post"
    let concurrency: Int
    let client: OutboundClient
    let sink: OutboundTarget

    func run(_ job: ClaimedJob) async -> JobOutcome {
        let body = Data(#"{"job_id":\#(job.id)}"#.utf8)
        return await client.post(to: sink, path: "/email/messages", body: body, webhookID: "msg_job\(job.id)_bench").outcome
    }
}
