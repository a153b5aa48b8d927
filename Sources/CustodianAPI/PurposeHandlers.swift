import CustodianCore
import CustodianOpenAPI
import CustodianStore

extension APIHandler {
    func listPurposes(_ input: Operations.ListPurposes.Input) async throws -> Operations.ListPurposes.Output {
        let purposes = try await PurposeRepository(database: database).all()
        return .ok(.init(body: .json(.init(items: try purposes.map(Components.Schemas.Purpose.init)))))
    }

    func getPurpose(_ input: Operations.GetPurpose.Input) async throws -> Operations.GetPurpose.Output {
        guard let purpose = try await PurposeRepository(database: database).find(code: input.path.purposeCode) else {
            throw Problem.notFound("purpose")
        }
        return .ok(.init(body: .json(try .init(purpose))))
    }

    func createPurpose(_ input: Operations.CreatePurpose.Input) async throws -> Operations.CreatePurpose.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let purpose = try NewPurpose(
            code: body.code, title: body.title, description: body.description, legalBasis: body.legalBasis.mapped(),
            requiresConsent: body.requiresConsent, retentionDays: body.retentionDays,
            recipientKinds: body.recipientKinds?.map { try $0.mapped() }, dataCategories: body.dataCategories?.map { try $0.mapped() })
        let record = try await PurposeRepository(database: database).create(purpose, actor: RequestScope.actor)
        return .created(.init(headers: .init(location: "/v1/purposes/\(record.code)"), body: .json(try .init(record))))
    }

    func updatePurpose(_ input: Operations.UpdatePurpose.Input) async throws -> Operations.UpdatePurpose.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        // A null description clears it: the empty text a purpose created without one has.
        let description = RequestScope.clearedMembers.contains("description") ? "" : body.description
        let changes = try PurposeChanges(
            title: body.title, description: description, retentionDays: body.retentionDays,
            recipientKinds: body.recipientKinds?.map { try $0.mapped() }, dataCategories: body.dataCategories?.map { try $0.mapped() },
            retired: body.retired)
        guard let record = try await PurposeRepository(database: database).update(code: input.path.purposeCode, changes: changes, actor: RequestScope.actor) else {
            throw Problem.notFound("purpose")
        }
        return .ok(.init(body: .json(try .init(record))))
    }

    func deletePurpose(_ input: Operations.DeletePurpose.Input) async throws -> Operations.DeletePurpose.Output {
        switch try await PurposeRepository(database: database).delete(code: input.path.purposeCode, actor: RequestScope.actor) {
        case .deleted: return .noContent(.init())
        case .notFound: throw Problem.notFound("purpose")
        case .inUse: throw Problem.conflict(.purposeInUse, "Consent events refer to this purpose; retire it instead (PATCH with retired: true).")
        }
    }

    func listPolicyVersions(_ input: Operations.ListPolicyVersions.Input) async throws -> Operations.ListPolicyVersions.Output {
        let versions = try await PolicyVersionRepository(database: database).all()
        return .ok(.init(body: .json(.init(items: versions.map(Components.Schemas.PolicyVersion.init)))))
    }

    func createPolicyVersion(_ input: Operations.CreatePolicyVersion.Input) async throws -> Operations.CreatePolicyVersion.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Send a JSON body.") }
        let version = try PublishedDocument(label: body.label, url: body.url, textSHA256: body.textSha256, effectiveAt: body.effectiveAt)
        let record = try await PolicyVersionRepository(database: database).create(
            label: version.label, url: version.url, textSHA256: version.textSHA256, effectiveAt: version.effectiveAt,
            actor: RequestScope.actor)
        return .created(.init(headers: .init(location: "/v1/policy-versions/\(record.id.lowercasedString)"), body: .json(.init(record))))
    }

    func getPolicyVersion(_ input: Operations.GetPolicyVersion.Input) async throws -> Operations.GetPolicyVersion.Output {
        let id = try uuid(input.path.versionId, parameter: "version_id")
        guard let record = try await PolicyVersionRepository(database: database).find(id: id) else { throw Problem.notFound("policy version") }
        return .ok(.init(body: .json(.init(record))))
    }
}

extension Components.Schemas.Purpose {
    init(_ record: PurposeRecord) throws {
        self.init(
            code: record.code, title: record.title, description: record.description, legalBasis: try record.legalBasis.mapped(),
            requiresConsent: record.requiresConsent, retentionDays: record.retentionDays,
            recipientKinds: try record.recipientKinds.map { try $0.mapped() }, dataCategories: try record.dataCategories.map { try $0.mapped() },
            retiredAt: record.retiredAt, createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}

extension Components.Schemas.PolicyVersion {
    init(_ record: PolicyVersionRecord) {
        self.init(
            id: record.id.lowercasedString, label: record.label, url: record.url, textSha256: record.textSHA256,
            effectiveAt: record.effectiveAt, createdAt: record.createdAt)
    }
}
