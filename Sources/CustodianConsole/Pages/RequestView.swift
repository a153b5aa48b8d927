import CustodianCore
import CustodianStore
import Foundation

/// One subject request's page: what was asked, under which rule it is due, what happened, its proof, and which
/// commands its state allows.
struct RequestView {
    struct HistoryRow {
        let status: String
        let at: String
        let actor: String
    }

    struct RecipientRow {
        let recipient: String
        let status: String
        let detail: String
        let at: String
    }

    let id: String
    let subjectID: String?
    let kind: String
    let status: String
    let regime: String
    let ground: String?
    let channel: String
    let received: String
    let due: String
    let daysText: String
    let urgency: String
    let rule: String
    /// The second date of a two-stage rule, with what is due then.
    let followUp: String?
    /// A claim's text (personal data; the page read is audited), and its answer once recorded.
    let claimText: String?
    let answer: String?
    let extensionText: String?
    let denial: String?
    let history: [HistoryRow]
    let exportSHA256: String?
    let destruction: String?
    let destructionID: String?
    let cascade: [RecipientRow]
    let notices: [RecipientRow]
    let canFulfil: Bool
    let canDeny: Bool
    let canCancel: Bool
    let canExtend: Bool
    let canLift: Bool
    let canAnswer: Bool
    let hasActions: Bool
    let hasProof: Bool

    /// `users`: the e-mails of the console users in the history.
    init(_ snapshot: SubjectRequestSnapshot, users: [UUID: String], today: CalendarDate, format: ConsoleFormat) {
        let record = snapshot.record
        id = record.id.lowercasedString
        subjectID = record.subjectID?.lowercasedString
        kind = format.text("kind_" + record.kind.rawValue)
        status = format.text("status_" + record.status.rawValue)
        regime = format.text("regime_" + record.regime.rawValue)
        ground = record.ground.map { format.text("ground_" + $0.rawValue) }
        channel = format.text("channel_" + record.channel.rawValue)
        received = format.time(record.receivedAt)
        due = record.dueOn.description
        (urgency, daysText) = InboxRow.urgency(of: record, today: today, format: format)
        let extended = record.originalDueOn != nil
        let deadline = record.deadline
        rule = deadline.map { "\(format.period((extended ? $0.extended : nil) ?? $0.period)), \($0.article)" } ?? ""
        followUp = record.followUpDueOn.flatMap { day in
            deadline?.followUp.map { "\(day.description): \($0.action), \(format.period($0.period)), \(deadline?.article ?? "")" }
        }
        claimText = record.claimText
        answer = record.answeredOn.map { "\($0.description) · \(record.answerChannel.map { format.text("channel_" + $0.rawValue) } ?? "")" }
        extensionText = record.originalDueOn.map { "\(format.text("extended_from")) \($0.description): \(record.extensionReason ?? "")" }
        denial = record.denialReason.map { "\(format.text("denial_" + $0.rawValue)): \(record.denialExplanation ?? "")" }
        history = snapshot.history.map { event in
            HistoryRow(
                status: format.text("status_" + event.status.rawValue), at: format.time(event.occurredAt),
                actor: event.userID.map { users[$0] ?? format.text("actor_user") }
                    ?? format.text(event.apiKeyID != nil ? "actor_api_key" : event.bySubject ? "actor_subject" : "actor_system"))
        }
        exportSHA256 = record.work.exportSHA256
        destructionID = snapshot.proof.destruction?.id.lowercasedString
        destruction = snapshot.proof.destruction.map { record in
            "\(format.time(record.destroyedAt)) · \(record.dataCategories.joined(separator: ", ")) · \(format.text("orders_depersonalised")): \(record.ordersDepersonalised) · \(format.text("consents_withdrawn")): \(record.consentsWithdrawn)"
        }
        cascade = snapshot.proof.cascade?.requests.map { request in
            RecipientRow(
                recipient: request.recipientCode, status: format.text("erasure_" + request.status.rawValue), detail: request.failureReason ?? "",
                at: format.time(request.completedAt ?? request.sentAt))
        } ?? []
        notices = snapshot.proof.notices.map { notice in
            RecipientRow(
                recipient: notice.recipientCode, status: notice.status, detail: notice.fields.joined(separator: ", "), at: format.time(notice.deliveredAt))
        }
        canFulfil = record.status == .received && record.kind != .claim
        canAnswer = record.kind == .claim && record.status.canMove(to: .answered)
        canDeny = record.status.canMove(to: .denied)
        canCancel = record.status.canMove(to: .cancelled)
        canExtend = !record.status.isFinal && !extended && deadline?.extended != nil
        canLift = record.kind == .restriction && record.status == .completed && record.work.liftedAt == nil
        hasActions = canFulfil || canDeny || canCancel || canExtend || canLift || canAnswer
        hasProof = exportSHA256 != nil || destruction != nil || !cascade.isEmpty || !notices.isEmpty
    }
}
