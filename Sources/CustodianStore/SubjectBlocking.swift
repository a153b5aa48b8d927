import CustodianCore
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Keeps a subject's status in step with its requests, as ``SubjectBlock`` decides: `restricted`, with its disclosing
/// jobs held, while one of them blocks it; `active` again, with its held jobs released, once none does. Called in
/// the transaction of every change that can start or end a block (registration, fulfilment, lift, denial,
/// cancellation), with the subject row already locked `FOR UPDATE`; when processing resumes, recipients told of a
/// lifted restriction hear of the lift. An erased subject stays erased.
enum SubjectBlocking {
    static func reconcile(subjectID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws {
        guard let status = try await connection.query("SELECT status FROM subjects WHERE id = \(subjectID)", logger: logger)
            .decode(String.self).first(where: { _ in true }).flatMap(SubjectStatus.init(rawValue:)) else { return }
        let blocked = try await isBlocked(subjectID: subjectID, on: connection, logger: logger)
        switch (status, blocked) {
        case (.active, true):
            try await SubjectRequestWork.restrict(subjectID: subjectID, on: connection, logger: logger)
        case (.restricted, false):
            try await connection.query("UPDATE subjects SET status = 'active', updated_at = now() WHERE id = \(subjectID)", logger: logger)
            try await JobQueue.release(subjectID: subjectID, on: connection, logger: logger)
            // Processing resumes: recipients told of a restriction now lifted hear of the lift (once per request).
            try await RestrictionNoticeRepository.enqueueLifts(subjectID: subjectID, keys: keys, on: connection, logger: logger)
        case (.active, false), (.restricted, true), (.erased, _):
            break
        }
    }

    /// Whether one of the subject's requests blocks it now. The query narrows to the requests that might; Core decides.
    static func isBlocked(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        for try await (kind, ground, status, lifted) in try await connection.query("""
            SELECT kind, ground, status, lifted_at IS NOT NULL FROM subject_requests
            WHERE subject_id = \(subjectID) AND kind IN ('restriction', 'rectification', 'erasure')
              AND (status IN ('received', 'in_progress') OR (kind = 'restriction' AND status = 'completed'))
            """, logger: logger).decode((String, String?, String, Bool).self) {
            guard let kind = SubjectRequestKind(rawValue: kind), let status = SubjectRequestStatus(rawValue: status) else {
                throw StoreError.unexpectedValue(column: "subject_requests")
            }
            let ground = try ground.map { code in
                guard let known = RequestGround(rawValue: code) else { throw StoreError.unexpectedValue(column: "subject_requests.ground") }
                return known
            }
            if SubjectBlock.blocks(kind: kind, ground: ground, status: status, lifted: lifted) { return true }
        }
        return false
    }
}
