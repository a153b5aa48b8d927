import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func createSubjectRequest(_ input: Operations.CreateSubjectRequest.Input) async throws -> Operations.CreateSubjectRequest.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let corrections = try body.corrections.map {
            try SubjectCorrections(fullName: $0.fullName, email: $0.email, phone: $0.phone, registrationAddress: $0.registrationAddress)
        }
        let channel: RequestChannel = try body.channel.mapped()
        guard channel.isRecordedByClients else {
            throw Problem.validation([FieldError(field: "channel", message: "privacy_center is recorded only by the privacy center")])
        }
        let request = try NewSubjectRequest(
            subjectID: body.subjectId, email: body.email, phone: body.phone, externalRef: body.externalRef, kind: try body.kind.mapped(),
            regime: try body.regime.mapped(), channel: channel, receivedAt: body.receivedAt,
            ground: try body.ground?.mapped(), corrections: corrections, purposes: body.purposes, claimText: body.text)
        let receivedOn = CalendarDate(request.receivedAt, in: configuration.timeZone)
        let record = try await SubjectRequestRepository(database: database).create(
            request, receivedOn: receivedOn, hasher: configuration.identityHasher, actor: RequestScope.actor)
        return .created(.init(
            headers: .init(location: "/v1/subject-requests/\(record.id.lowercasedString)"), body: .json(try .init(record, today: today))))
    }

    func listSubjectRequests(_ input: Operations.ListSubjectRequests.Input) async throws -> Operations.ListSubjectRequests.Output {
        let query = input.query
        let limit = try pageSize(query.limit)
        let dueBefore = try query.dueBefore.map { try Self.calendarDate($0, field: "due_before") }
        let after = try cursorKey(query.cursor) { key -> (CalendarDate, UUID)? in
            // A day such as 02-31 that the form allows but the calendar lacks continues from where it would fall.
            let parts = key.split(separator: "_")
            let dayParts = parts.first?.split(separator: "-").compactMap { Int($0) } ?? []
            guard parts.count == 2, parts[0].utf8.count == 10, dayParts.count == 3, (1000...9999).contains(dayParts[0]),
                  (1...12).contains(dayParts[1]), (1...31).contains(dayParts[2]),
                  let first = CalendarDate(year: dayParts[0], month: dayParts[1], day: 1), let id = UUID(uuidString: String(parts[1]))
            else { return nil }
            return (first.adding(days: dayParts[2] - 1), id)
        }
        let records = try await SubjectRequestRepository(database: database).list(
            status: try query.status?.mapped(), kind: try query.kind?.mapped(), dueOnOrBefore: dueBefore, after: after, limit: limit)
        let today = today
        let next = nextCursor(records, limit: limit) { "\($0.dueOn)_\($0.id.lowercasedString)" }
        return .ok(.init(body: .json(.init(items: try records.map { try .init($0, today: today) }, nextCursor: next))))
    }

    func getSubjectRequest(_ input: Operations.GetSubjectRequest.Input) async throws -> Operations.GetSubjectRequest.Output {
        let id = try uuid(input.path.requestId, parameter: "request_id")
        guard let snapshot = try await SubjectRequestRepository(database: database).read(id: id, actor: RequestScope.actor) else {
            throw Problem.notFound("subject request")
        }
        let (record, proof) = (snapshot.record, snapshot.proof)
        var body = try Components.Schemas.SubjectRequest(record, today: today)
        body.history = try snapshot.history.map {
            .init(
                status: try $0.status.mapped(), occurredAt: $0.occurredAt, apiKeyId: $0.apiKeyID?.lowercasedString,
                actorKind: $0.apiKeyID != nil ? .apiKey : $0.userID != nil ? .user : $0.bySubject ? .subject : .system)
        }
        body.erasureCascade = try proof.cascade.map { try .init($0) }
        body.destructionRecord = try proof.destruction.map { try .init($0) }
        body.notices = try record.kind == .rectification ? proof.notices.map { try .init($0) } : nil
        return .ok(.init(body: .json(body)))
    }

    func fulfilSubjectRequest(_ input: Operations.FulfilSubjectRequest.Input) async throws -> Operations.FulfilSubjectRequest.Output {
        let id = try uuid(input.path.requestId, parameter: "request_id")
        return .ok(.init(body: .json(try .init(try await work.fulfil(id: id, actor: RequestScope.actor), today: today))))
    }

    func liftSubjectRequest(_ input: Operations.LiftSubjectRequest.Input) async throws -> Operations.LiftSubjectRequest.Output {
        let id = try uuid(input.path.requestId, parameter: "request_id")
        return .ok(.init(body: .json(try .init(try await work.lift(id: id, actor: RequestScope.actor), today: today))))
    }

    func getSubjectRequestExport(_ input: Operations.GetSubjectRequestExport.Input) async throws -> Operations.GetSubjectRequestExport.Output {
        let id = try uuid(input.path.requestId, parameter: "request_id")
        let json = try await work.export(id: id, actor: RequestScope.actor)
        return .ok(.init(body: .json(try JSONDecoder().decode(Components.Schemas.SubjectExport.self, from: Data(json.utf8)))))
    }

    /// The work of subject requests, with the configured identity hasher.
    var work: SubjectRequestWork { SubjectRequestWork(database: database, hasher: configuration.identityHasher) }

    func extendSubjectRequest(_ input: Operations.ExtendSubjectRequest.Input) async throws -> Operations.ExtendSubjectRequest.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let id = try uuid(input.path.requestId, parameter: "request_id")
        // An empty reason is the deadline rules' refusal (422); only the length is checked here.
        let reason = body.reason.trimmingWhitespace()
        guard reason.unicodeScalars.count <= 2000 else { throw Problem.validation([FieldError(field: "reason", message: "must be 1 to 2000 characters")]) }
        let record = try await SubjectRequestRepository(database: database).extend(id: id, reason: reason, today: today, actor: RequestScope.actor)
        return .ok(.init(body: .json(try .init(record, today: today))))
    }

    func denySubjectRequest(_ input: Operations.DenySubjectRequest.Input) async throws -> Operations.DenySubjectRequest.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let id = try uuid(input.path.requestId, parameter: "request_id")
        let denial = try Denial(reason: try body.reason.mapped(), explanation: body.explanation)
        let record = try await SubjectRequestRepository(database: database).deny(id: id, denial, actor: RequestScope.actor)
        return .ok(.init(body: .json(try .init(record, today: today))))
    }

    func answerSubjectRequest(_ input: Operations.AnswerSubjectRequest.Input) async throws -> Operations.AnswerSubjectRequest.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let id = try uuid(input.path.requestId, parameter: "request_id")
        let answer = try ClaimAnswer(
            answeredOn: try Self.calendarDate(body.answeredOn, field: "answered_on"), channel: try body.channel.mapped(), today: today)
        let record = try await SubjectRequestRepository(database: database).answer(id: id, answer, actor: RequestScope.actor)
        return .ok(.init(body: .json(try .init(record, today: today))))
    }

    func cancelSubjectRequest(_ input: Operations.CancelSubjectRequest.Input) async throws -> Operations.CancelSubjectRequest.Output {
        let id = try uuid(input.path.requestId, parameter: "request_id")
        let record = try await SubjectRequestRepository(database: database).cancel(id: id, actor: RequestScope.actor)
        return .ok(.init(body: .json(try .init(record, today: today))))
    }

    /// Today in the controller's time zone.
    var today: CalendarDate { CalendarDate(Date(), in: configuration.timeZone) }
}

extension Components.Schemas.SubjectRequest {
    init(_ record: SubjectRequestRecord, today: CalendarDate) throws {
        let daysLeft = record.dueOn.dayNumber - today.dayNumber
        self.init(
            id: record.id.lowercasedString, subjectId: record.subjectID?.lowercasedString, kind: try record.kind.mapped(),
            regime: try record.regime.mapped(), channel: try record.channel.mapped(), status: try record.status.mapped(),
            receivedAt: record.receivedAt, receivedOn: record.receivedOn.description, dueOn: record.dueOn.description,
            dueRule: record.deadline?.summary(extended: record.originalDueOn != nil) ?? "", daysLeft: daysLeft,
            overdue: !record.status.isFinal && daysLeft < 0, denialReason: try record.denialReason?.mapped(),
            denialExplanation: record.denialExplanation, originalDueOn: record.originalDueOn?.description, extensionReason: record.extensionReason,
            createdAt: record.createdAt, updatedAt: record.updatedAt)
        correctedFields = record.work.correctedFields
        purposes = record.work.purposes
        exportSha256 = record.work.exportSHA256
        fulfilledAt = record.work.fulfilledAt
        completedAt = record.work.completedAt
        liftedAt = record.work.liftedAt
        ground = try record.ground?.mapped()
        followUpDueOn = record.followUpDueOn?.description
        followUpRule = record.followUpDueOn == nil ? nil : record.deadline?.followUp.map { "\($0.action): \($0.period), \(record.deadline?.article ?? "")" }
        text = record.claimText
        answeredOn = record.answeredOn?.description
        answerChannel = try record.answerChannel?.mapped()
    }
}

extension Components.Schemas.RectificationNotice {
    init(_ record: RectificationNoticeRecord) throws {
        self.init(
            id: record.id.lowercasedString, recipient: record.recipientCode, fields: record.fields,
            status: try StatusPayload(rawValue: record.status).orThrow(),
            jobId: record.jobID, failureReason: record.failureReason, deliveredAt: record.deliveredAt)
    }
}
