import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

extension APIHandler {
    func createSubject(_ input: Operations.CreateSubject.Input) async throws -> Operations.CreateSubject.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let subject = try NewSubject(
            externalRef: body.externalRef, fullName: body.fullName, email: body.email, phone: body.phone,
            registrationAddress: body.registrationAddress, locale: body.locale, hasAccount: body.hasAccount)
        let record = try await subjects.create(subject, actor: RequestScope.actor)
        return .created(.init(headers: .init(location: "/v1/subjects/\(record.id.lowercasedString)"), body: .json(.init(record))))
    }

    func getSubject(_ input: Operations.GetSubject.Input) async throws -> Operations.GetSubject.Output {
        let id = try uuid(input.path.subjectId, parameter: "subject_id")
        guard let record = try await subjects.read(id: id, actor: RequestScope.actor) else {
            throw Problem.notFound("subject")
        }
        return .ok(.init(body: .json(.init(record))))
    }

    func updateSubject(_ input: Operations.UpdateSubject.Input) async throws -> Operations.UpdateSubject.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let changes = try SubjectChanges(
            externalRef: body.externalRef, fullName: body.fullName, email: body.email, phone: body.phone,
            registrationAddress: body.registrationAddress, locale: body.locale, hasAccount: body.hasAccount,
            clearing: Set(RequestScope.clearedMembers.compactMap(SubjectChanges.Clearable.init(rawValue:))))
        let id = try uuid(input.path.subjectId, parameter: "subject_id")
        do {
            guard let record = try await subjects.update(id: id, changes: changes, actor: RequestScope.actor) else {
                throw Problem.notFound("subject")
            }
            return .ok(.init(body: .json(.init(record))))
        } catch is SubjectErased {
            throw Problem.conflict(.subjectErased, "The subject's data was destroyed on request or at the end of its retention; it cannot be written again.")
        }
    }

    func listSubjects(_ input: Operations.ListSubjects.Input) async throws -> Operations.ListSubjects.Output {
        let query = input.query
        if query.email == nil, query.phone == nil, query.externalRef == nil, RequestScope.apiKey?.scope != .dpo {
            // Listing every subject is the DPO's act; the shop looks its customers up.
            throw Problem(
                type: .forbidden,
                detail: "Listing every subject needs an API key with scope dpo; give email, phone or external_ref to look a customer up.")
        }
        try Self.checkLengths([("email", query.email, 254), ("phone", query.phone, 32), ("external_ref", query.externalRef, 128)])
        let limit = try pageSize(query.limit)
        let after = try cursorKey(query.cursor) { UUID(uuidString: $0) }
        var lookup = SubjectLookup(email: query.email?.trimmingWhitespace(), externalRef: query.externalRef)
        if let phone = query.phone {
            // A phone that is no telephone number matches nobody (any notation of a real one is normalised).
            switch PhoneNumber.normalise(phone) {
            case .success(let normalised): lookup.phone = normalised
            case .failure: return .ok(.init(body: .json(.init(items: []))))
            }
        }
        let records = try await subjects.find(lookup, afterID: after, limit: limit, actor: RequestScope.actor)
        let next = nextCursor(records, limit: limit) { $0.id.lowercasedString }
        return .ok(.init(body: .json(.init(items: records.map(Components.Schemas.Subject.init), nextCursor: next))))
    }
}

extension UUID {
    /// The canonical lowercase text form (RFC 9562) used in every response.
    var lowercasedString: String { uuidString.lowercased() }
}

extension Components.Schemas.Subject {
    init(_ record: SubjectRecord) {
        self.init(
            id: record.id.lowercasedString, externalRef: record.externalRef, fullName: record.fullName, email: record.email,
            phone: record.phone, registrationAddress: record.registrationAddress, locale: record.locale, hasAccount: record.hasAccount,
            status: .init(rawValue: record.status.rawValue) ?? .active,
            createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}
