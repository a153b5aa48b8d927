import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// A subject request as stored.
public struct SubjectRequestRecord: Sendable, Equatable {
    public let id: UUID
    public let subjectID: UUID?
    public let kind: SubjectRequestKind
    public let regime: RequestRegime
    /// The legal ground (nil for an access request).
    public var ground: RequestGround?
    public let channel: RequestChannel
    public let status: SubjectRequestStatus
    public let receivedAt: Date
    public let receivedOn: CalendarDate
    public let dueOn: CalendarDate
    public let denialReason: DenialReason?
    public let denialExplanation: String?
    /// The due date before the one extension, and its reason; nil when not extended.
    public let originalDueOn: CalendarDate?
    public let extensionReason: String?
    /// The second date of a two-stage rule (``DeadlineRule/followUp``); nil for most rules.
    public var followUpDueOn: CalendarDate?
    /// Claim: what the subject claims (personal data; nil once the subject is erased).
    public var claimText: String?
    /// Claim: when and how it was answered.
    public var answeredOn: CalendarDate?
    public var answerChannel: RequestChannel?
    public let createdAt: Date
    public let updatedAt: Date
    /// What the request's work did (empty until it is fulfilled, or where the kind leaves no such trace).
    public var work = SubjectRequestWorkRecord()

    /// The rule its due date followed.
    public var deadline: DeadlineRule? {
        SubjectRequestDeadlines.rule(regime: regime, kind: kind, ground: ground)
    }
}

/// The trace a request's work leaves, without personal data.
public struct SubjectRequestWorkRecord: Sendable, Equatable {
    /// Rectification: the fields corrected.
    public var correctedFields: [String]?
    /// Objection: the purposes objected to (nil: every consent-based one).
    public var purposes: [String]?
    /// Erasure: the cascade to the recipients.
    public var cascadeID: UUID?
    /// Access: the SHA-256 of the export when the request was fulfilled.
    public var exportSHA256: String?
    public var fulfilledAt: Date?
    public var completedAt: Date?
    /// Restriction: when it was lifted.
    public var liftedAt: Date?

    public init() {}
}

/// One status a request reached, when, and by which key or console user (neither: the system's own work).
public struct SubjectRequestEvent: Sendable, Equatable {
    public let status: SubjectRequestStatus
    public let occurredAt: Date
    public let apiKeyID: UUID?
    public let userID: UUID?
    /// The subject itself acted (the privacy center).
    public let bySubject: Bool
}

/// A request as the DPO reads it: the request, every status it reached, and the proof its work left, all as of one
/// moment.
public struct SubjectRequestSnapshot: Sendable {
    public let record: SubjectRequestRecord
    public let history: [SubjectRequestEvent]
    public let proof: SubjectRequestProof
}

/// A DPO's command on a subject request.
public enum SubjectRequestCommand: String, Sendable {
    case fulfil, lift, deny, cancel, extend, answer
}

/// Why a command on a subject request changed nothing.
public enum SubjectRequestRefusal: Error, Sendable, Equatable {
    case notFound
    /// The request's status does not allow the command.
    case notAllowed(SubjectRequestStatus, command: SubjectRequestCommand)
    /// The subject's data was destroyed: there is nothing left to change.
    case subjectErased
    /// Lift applies only to a completed restriction not yet lifted.
    case notLiftable
    case extensionRefused(SubjectRequestDeadlines.ExtensionRefusal)
    /// A claim is answered, not fulfilled; only a claim is answered.
    case answerInstead
    case notAClaim
}

/// Registers and reads subject requests; every write and read is audited, every status change is an event.
public struct SubjectRequestRepository: Sendable {
    let database: Database

    public static let createAction = "subject_request.create"
    public static let readAction = "subject_request.read"
    public static let denyAction = "subject_request.deny"
    public static let cancelAction = "subject_request.cancel"
    public static let extendAction = "subject_request.extend"
    public static let answerAction = "subject_request.answer"

    static let columns = columnList(claimText: "claim_text", claimKey: """
        (SELECT kek_id FROM custodian_keys.subject_keys k WHERE k.subject_id = subject_requests.subject_id AND subject_requests.claim_text IS NOT NULL), \
        (SELECT wrapped FROM custodian_keys.subject_keys k WHERE k.subject_id = subject_requests.subject_id AND subject_requests.claim_text IS NOT NULL)
        """)
    /// The columns of a list, which carries no claim text and so reads no key.
    static let listColumns = columnList(claimText: "NULL::text", claimKey: "NULL::text, NULL::bytea")

    /// A request's columns with `claimText` for the claim's sealed text and `claimKey` for the two columns of the
    /// subject's key it is sealed under: scalar subqueries rather than a join, as the columns also follow RETURNING,
    /// and read only for a request with a claim.
    private static func columnList(claimText: String, claimKey: String) -> String {
        """
        id, subject_id, kind, regime, channel, status, received_at, received_on::text, due_on::text, denial_reason, \
        denial_explanation, original_due_on::text, extension_reason, created_at, updated_at, corrected_fields, purposes, cascade_id, \
        export_sha256, fulfilled_at, completed_at, lifted_at, ground, follow_up_due_on::text, \(claimText), answered_on::text, answer_channel, \
        \(claimKey)
        """
    }

    public init(database: Database) {
        self.database = database
    }

    /// The context a request's corrections are sealed for.
    static func correctionsContext(_ requestID: UUID) -> String { "subject_requests.corrections/" + requestID.uuidString.lowercased() }

    /// Registers `request`, received on `receivedOn` (the controller's day), due as ``SubjectRequestDeadlines`` counts in
    /// the production calendar. An identity that matches no subject is denied at once with `no_match`, and the identity
    /// it named is not kept; an e-mail or phone whose keyed hash (`hasher`) an erased subject kept names that subject.
    /// Corrections and a claim's text are not kept for a subject that has nothing left (or no one matched). A request that blocks its subject
    /// (``SubjectBlock/blocksAtRegistration(kind:ground:)``) restricts it in the same transaction, and an objection to
    /// direct marketing is fulfilled in it (``SubjectRequestFulfilment/takesEffectAtRegistration(kind:ground:)``).
    public func create(
        _ request: NewSubjectRequest, receivedOn: CalendarDate, hasher: IdentityHasher?, actor: AuditActor
    ) async throws -> SubjectRequestRecord {
        let calendar = try await CalendarRepository(database: database).workingCalendar()
        let dueOn = request.deadline.period.due(after: receivedOn, calendar: calendar)
        let followUpDueOn = request.deadline.followUp?.period.due(after: receivedOn, calendar: calendar)
        let keys = try database.requireKeys()
        return try await database.transaction { connection in
            let logger = database.logger
            // By blind index, or — for a row written before encryption — by the plain value.
            let query: PostgresQuery = switch request.identity {
            case .subjectID(let id): "SELECT id FROM subjects WHERE id = \(id)"
            case .email(let email): """
                SELECT id FROM subjects WHERE email_index = \(ByteBuffer(data: keys.emailIndex(email)))
                   OR (email_index IS NULL AND lower(email) = lower(\(email))) ORDER BY id LIMIT 1
                """
            case .phone(let phone): """
                SELECT id FROM subjects WHERE phone_index = \(ByteBuffer(data: keys.phoneIndex(phone)))
                   OR (phone_index IS NULL AND phone = \(phone)) ORDER BY id LIMIT 1
                """
            case .externalRef(let reference): "SELECT id FROM subjects WHERE external_ref = \(reference)"
            }
            var subjectID = try await connection.query(query, logger: logger).collect().first?.decode(UUID.self)
            var erased = false
            if subjectID == nil, let hasher, let hashes = Self.identityHashes(request.identity, hasher) {
                // A person whose data was already destroyed: recognised by the keyed hash (under the current or a
                // previous key), never by the identifier.
                subjectID = try await connection.query("""
                    SELECT id FROM subjects WHERE email_hash = ANY(\(hashes)) OR phone_hash = ANY(\(hashes)) ORDER BY erased_at DESC LIMIT 1
                    """, logger: logger).collect().first?.decode(UUID.self)
            }
            if let subjectID {
                // Locked before the request's row references it (whose key-share lock would otherwise come first and let
                // two registrations deadlock), so its status holds until the registration commits.
                erased = try await SubjectRequestWork.lockSubject(id: subjectID, keys: try database.requireKeys(), on: connection, logger: logger)?.status == .erased
            }
            if let purposes = request.purposes {
                let known = try await connection.query(
                    "SELECT code FROM purposes WHERE code = ANY(\(purposes)) AND legal_basis = 'consent'", logger: logger
                ).decode(String.self).reduce(into: Set<String>()) { $0.insert($1) }
                let unknown = purposes.filter { !known.contains($0) }
                if !unknown.isEmpty {
                    throw ValidationFailure([FieldError(field: "purposes", message: "names \(unknown.count) purpose(s) that are unknown or not consent-based")])
                }
            }
            let status: SubjectRequestStatus = subjectID == nil ? .denied : .received
            let reason: DenialReason? = subjectID == nil ? .noMatch : nil
            // Corrections (the subject's new data) and a claim's text are sealed under the subject's key.
            let requestID = UUID()
            var correctionsJSON: String?
            var claimText: String?
            if request.corrections != nil || request.claimText != nil, let subjectID, !erased {
                let cipher = try await SubjectKeys.obtain(subjectID: subjectID, keys: keys, on: connection, logger: logger)
                guard let key = cipher.key else { throw StoreError.noPersonalDataKeys }
                correctionsJSON = try request.corrections.map { try SealedJSON.seal($0, key: key, context: Self.correctionsContext(requestID)) }
                claimText = cipher.seal(request.claimText, "subject_requests.claim_text", row: requestID)
            }
            let rows = try await connection.query("""
                INSERT INTO subject_requests (id, subject_id, kind, regime, ground, channel, status, received_at, received_on, due_on,
                                              follow_up_due_on, denial_reason, corrections, purposes, claim_text)
                VALUES (\(requestID), \(subjectID), \(request.kind.rawValue), \(request.regime.rawValue), \(request.ground?.rawValue),
                        \(request.channel.rawValue),
                        \(status.rawValue), \(request.receivedAt), \(receivedOn.description)::date, \(dueOn.description)::date,
                        \(followUpDueOn?.description)::date,
                        \(reason?.rawValue), \(correctionsJSON)::jsonb, \(request.purposes),
                        \(claimText))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let record = try await Self.decode(rows, keys: try database.requireKeys()).first else { throw StoreError.unexpectedlyEmpty }
            try await connection.query("""
                INSERT INTO subject_request_events (request_id, status, api_key_id, user_id, by_subject)
                SELECT \(record.id), s, \(actor.apiKeyID), \(actor.userID), \(actor.bySubject)
                FROM unnest(\(subjectID == nil ? ["received", "denied"] : ["received"])::text[]) AS s
                """, logger: logger)
            try await AuditRepository.append(action: Self.createAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
            if record.status == .received, !erased, SubjectBlock.blocksAtRegistration(kind: request.kind, ground: request.ground),
               let subjectID {
                // Blocked from the moment the request is received, for as long as it is verified.
                try await SubjectBlocking.reconcile(subjectID: subjectID, keys: try database.requireKeys(), on: connection, logger: logger)
            }
            if record.status == .received, !erased, SubjectRequestFulfilment.takesEffectAtRegistration(kind: request.kind, ground: request.ground) {
                // Its purposes are withdrawn, and the newsletter's opt-out enqueued, before the registration commits.
                return try await SubjectRequestWork(database: database, hasher: hasher).fulfil(id: record.id, actor: actor, on: connection)
            }
            return record
        }
    }

    /// The keyed hashes an e-mail or phone identity may have been kept under (current and previous keys).
    static func identityHashes(_ identity: RequestIdentity, _ hasher: IdentityHasher) -> [ByteBuffer]? {
        switch identity {
        case .email(let email): hasher.emailCandidates(email).map { ByteBuffer(bytes: $0) }
        case .phone(let phone): hasher.phoneCandidates(phone).map { ByteBuffer(bytes: $0) }
        case .subjectID, .externalRef: nil
        }
    }

    /// One request with its history and the proof its work left, read as one snapshot (a repeatable-read
    /// transaction), the read audited; nil when there is none.
    public func read(id: UUID, actor: AuditActor) async throws -> SubjectRequestSnapshot? {
        try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            let rows = try await connection.query("SELECT \(unescaped: Self.columns) FROM subject_requests WHERE id = \(id)", logger: logger)
            guard let record = try await Self.decode(rows, keys: try database.requireKeys()).first else { return nil }
            let history = try await Self.history(id: id, on: connection, logger: logger)
            let proof = try await SubjectRequestWork.proof(of: record, on: connection, logger: logger)
            try await AuditRepository.append(action: Self.readAction, subjectID: record.subjectID, actor: actor, on: connection, logger: logger)
            return SubjectRequestSnapshot(record: record, history: history, proof: proof)
        }
    }

    /// Denies an open request with a reason and an explanation.
    public func deny(id: UUID, _ denial: Denial, actor: AuditActor) async throws -> SubjectRequestRecord {
        try await move(id: id, to: .denied, command: .deny, action: Self.denyAction, actor: actor) { connection in
            try await connection.query("""
                UPDATE subject_requests SET status = 'denied', denial_reason = \(denial.reason.rawValue),
                    denial_explanation = \(denial.explanation), corrections = NULL, updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
        }
    }

    /// Cancels an open request (withdrawn by the subject, or registered by mistake).
    public func cancel(id: UUID, actor: AuditActor) async throws -> SubjectRequestRecord {
        try await move(id: id, to: .cancelled, command: .cancel, action: Self.cancelAction, actor: actor) { connection in
            try await connection.query("""
                UPDATE subject_requests SET status = 'cancelled', corrections = NULL, updated_at = now() WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
        }
    }

    /// Records a received claim's answer: its day (not before receipt) and channel; the claim is `answered`.
    public func answer(id: UUID, _ answer: ClaimAnswer, actor: AuditActor) async throws -> SubjectRequestRecord {
        try await move(id: id, to: .answered, command: .answer, action: Self.answerAction, actor: actor, check: { record in
            guard record.kind == .claim else { throw SubjectRequestRefusal.notAClaim }
            guard answer.answeredOn >= record.receivedOn else {
                throw ValidationFailure([FieldError(field: "answered_on", message: "must not be before the claim was received (\(record.receivedOn))")])
            }
        }) { connection in
            try await connection.query("""
                UPDATE subject_requests SET status = 'answered', answered_on = \(answer.answeredOn.description)::date,
                    answer_channel = \(answer.channel.rawValue), completed_at = now(), updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
        }
    }

    /// Extends an open request's deadline once, as ``SubjectRequestDeadlines/extend`` allows on `today`, for `reason`
    /// (already trimmed).
    public func extend(id: UUID, reason: String, today: CalendarDate, actor: AuditActor) async throws -> SubjectRequestRecord {
        let calendar = try await CalendarRepository(database: database).workingCalendar()
        return try await database.transaction { connection in
            let logger = database.logger
            guard let record = try await lockedRecord(id: id, on: connection) else { throw SubjectRequestRefusal.notFound }
            guard !record.status.isFinal else { throw SubjectRequestRefusal.notAllowed(record.status, command: .extend) }
            guard let rule = record.deadline else { throw StoreError.unexpectedValue(column: "subject_requests.ground") }
            let outcome = SubjectRequestDeadlines.extend(
                rule: rule, received: record.receivedOn, due: record.dueOn,
                alreadyExtended: record.originalDueOn != nil, today: today, reason: reason, calendar: calendar)
            switch outcome {
            case .failure(let refusal):
                throw SubjectRequestRefusal.extensionRefused(refusal)
            case .success(let newDue):
                let updated = try await connection.query("""
                    UPDATE subject_requests SET original_due_on = due_on, due_on = \(newDue.description)::date,
                        extension_reason = \(reason), extended_at = now(), updated_at = now()
                    WHERE id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                guard let extended = try await Self.decode(updated, keys: try database.requireKeys()).first else { throw StoreError.unexpectedlyEmpty }
                try await AuditRepository.append(action: Self.extendAction, subjectID: record.subjectID, actor: actor, on: connection, logger: logger)
                return extended
            }
        }
    }

    /// Every status the request reached, oldest first.
    static func history(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [SubjectRequestEvent] {
        var events: [SubjectRequestEvent] = []
        for try await (status, at, key, user, bySubject) in try await connection.query(
            "SELECT status, occurred_at, api_key_id, user_id, by_subject FROM subject_request_events WHERE request_id = \(id) ORDER BY id", logger: logger
        ).decode((String, Date, UUID?, UUID?, Bool).self) {
            guard let status = SubjectRequestStatus(rawValue: status) else { throw StoreError.unexpectedValue(column: "subject_request_events.status") }
            events.append(SubjectRequestEvent(status: status, occurredAt: at, apiKeyID: key, userID: user, bySubject: bySubject))
        }
        return events
    }

    /// Moves a request to `status` with `update` when its lifecycle allows it, with its event and audit row; a block
    /// the request held ends with it (``SubjectBlocking``). Locks the subject before the request, as every writer of
    /// both does.
    private func move(
        id: UUID, to status: SubjectRequestStatus, command: SubjectRequestCommand, action: String, actor: AuditActor,
        check: @escaping @Sendable (SubjectRequestRecord) throws -> Void = { _ in },
        update: @escaping @Sendable (PostgresConnection) async throws -> PostgresRowSequence
    ) async throws -> SubjectRequestRecord {
        try await database.transaction { connection in
            let logger = database.logger
            let subject = try await SubjectRequestWork.lockSubject(ofRequest: id, keys: try database.requireKeys(), on: connection, logger: logger)
            guard let record = try await lockedRecord(id: id, on: connection) else { throw SubjectRequestRefusal.notFound }
            guard record.status.canMove(to: status) else { throw SubjectRequestRefusal.notAllowed(record.status, command: command) }
            try check(record)
            guard let moved = try await Self.decode(update(connection), keys: try database.requireKeys()).first else { throw StoreError.unexpectedlyEmpty }
            try await connection.query("""
                INSERT INTO subject_request_events (request_id, status, api_key_id, user_id, by_subject)
                VALUES (\(id), \(status.rawValue), \(actor.apiKeyID), \(actor.userID), \(actor.bySubject))
                """, logger: logger)
            try await AuditRepository.append(action: action, subjectID: record.subjectID, actor: actor, on: connection, logger: logger)
            if let subject { try await SubjectBlocking.reconcile(subjectID: subject.id, keys: try database.requireKeys(), on: connection, logger: logger) }
            return moved
        }
    }

    /// The request, locked until the caller's transaction ends; nil when there is none.
    func lockedRecord(id: UUID, on connection: PostgresConnection) async throws -> SubjectRequestRecord? {
        try await Self.decode(connection.query(
            "SELECT \(unescaped: Self.columns) FROM subject_requests WHERE id = \(id) FOR UPDATE", logger: database.logger), keys: try database.requireKeys()).first
    }

    /// Requests by due date (then id), filtered; `after` is the last (due date, id) of the previous page. A list is
    /// not audited per request, so it carries no claim text (personal data, shown by the audited ``read(id:actor:)``).
    public func list(
        status: SubjectRequestStatus?, kind: SubjectRequestKind?, dueOnOrBefore: CalendarDate?, after: (CalendarDate, UUID)?, limit: Int
    ) async throws -> [SubjectRequestRecord] {
        let afterDue = after?.0.description ?? "0001-01-01"
        let afterID = after?.1 ?? .keysetStart
        return try await Self.decode(database.query("""
            SELECT \(unescaped: Self.listColumns) FROM subject_requests
            WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
              AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
              AND (\(dueOnOrBefore?.description)::date IS NULL OR due_on <= \(dueOnOrBefore?.description)::date)
              AND (due_on, id) > (\(afterDue)::date, \(afterID))
            ORDER BY due_on, id
            LIMIT \(limit)
            """), keys: try database.requireKeys())
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>, keys: PersonalDataKeys) async throws -> [SubjectRequestRecord] {
        var records: [SubjectRequestRecord] = []
        for try await row in rows {
            let (id, subjectID, kind, regime, channel, status, receivedAt, receivedOn, dueOn, reason, explanation, originalDue, extensionReason,
                 createdAt, updatedAt)
                = try row.decode((UUID, UUID?, String, String, String, String, Date, String, String, String?, String?, String?, String?, Date, Date).self)
            guard let kind = SubjectRequestKind(rawValue: kind), let regime = RequestRegime(rawValue: regime),
                  let channel = RequestChannel(rawValue: channel), let status = SubjectRequestStatus(rawValue: status),
                  let receivedOn = CalendarDate(iso: receivedOn), let dueOn = CalendarDate(iso: dueOn)
            else { throw StoreError.unexpectedValue(column: "subject_requests") }
            var record = SubjectRequestRecord(
                id: id, subjectID: subjectID, kind: kind, regime: regime, channel: channel, status: status, receivedAt: receivedAt,
                receivedOn: receivedOn, dueOn: dueOn, denialReason: reason.flatMap(DenialReason.init(rawValue:)),
                denialExplanation: explanation, originalDueOn: originalDue.flatMap(CalendarDate.init(iso:)), extensionReason: extensionReason,
                createdAt: createdAt, updatedAt: updatedAt)
            let cells = row.makeRandomAccess()
            record.work.correctedFields = try cells[15].decode([String]?.self)
            record.work.purposes = try cells[16].decode([String]?.self)
            record.work.cascadeID = try cells[17].decode(UUID?.self)
            record.work.exportSHA256 = try cells[18].decode(String?.self)
            record.work.fulfilledAt = try cells[19].decode(Date?.self)
            record.work.completedAt = try cells[20].decode(Date?.self)
            record.work.liftedAt = try cells[21].decode(Date?.self)
            if let ground = try cells[22].decode(String?.self) {
                guard let known = RequestGround(rawValue: ground) else { throw StoreError.unexpectedValue(column: "subject_requests.ground") }
                record.ground = known
            }
            record.followUpDueOn = try cells[23].decode(String?.self).flatMap(CalendarDate.init(iso:))
            record.claimText = try SubjectKeys.cipher(
                subjectID: subjectID ?? id, kekID: try cells[27].decode(String?.self), wrapped: try cells[28].decode(ByteBuffer?.self), keys: keys
            ).open(try cells[24].decode(String?.self), "subject_requests.claim_text", row: id)
            record.answeredOn = try cells[25].decode(String?.self).flatMap(CalendarDate.init(iso:))
            if let channel = try cells[26].decode(String?.self) {
                guard let known = RequestChannel(rawValue: channel) else { throw StoreError.unexpectedValue(column: "subject_requests.answer_channel") }
                record.answerChannel = known
            }
            records.append(record)
        }
        return records
    }
}
