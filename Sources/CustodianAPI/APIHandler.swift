import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation

/// Implements the operations generated from `openapi.yaml`; one extension per tag. Errors are thrown as
/// ``Problem``s (or domain errors that map to one) and rendered by ``OpenAPIProblemMiddleware``.
struct APIHandler: APIProtocol {
    let configuration: APIConfiguration
    let subjects: SubjectRepository
    let audit: AuditRepository
    let database: Database

    /// The page size asked for, checked against the configured maximum.
    func pageSize(_ requested: Int?) throws -> Int {
        let limit = requested ?? configuration.defaultPageSize
        guard (1...configuration.maximumPageSize).contains(limit) else {
            throw Problem.validation([FieldError(field: "limit", message: "must be from 1 to \(configuration.maximumPageSize)")])
        }
        return limit
    }

    /// A UUID from a path or query parameter; 400 naming the parameter when it is not one.
    func uuid(_ value: String, parameter: String) throws -> UUID {
        guard let id = UUID(uuidString: value) else { throw Problem.badRequest("The \(parameter) parameter is not a UUID.") }
        return id
    }

    /// 422 naming every query parameter longer than the spec allows (the generated code does not check lengths),
    /// counted as JSON Schema's `maxLength` counts: in Unicode code points.
    static func checkLengths(_ parameters: [(name: String, value: String?, maximum: Int)]) throws {
        let errors = parameters.compactMap { parameter -> FieldError? in
            guard let value = parameter.value, value.unicodeScalars.count > parameter.maximum else { return nil }
            return FieldError(field: parameter.name, message: "must be at most \(parameter.maximum) characters")
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
    }

    /// The key after which a page continues. Cursors are opaque to clients (the spec says only: a string, passed back
    /// as `next_cursor` gave it); here they are the plain sort key of a page's last item, so any key of the right form
    /// is a valid place to continue from; another string is 422.
    func cursorKey<Key>(_ cursor: String?, parse: (String) -> Key?) throws -> Key? {
        guard let cursor else { return nil }
        guard let key = parse(cursor) else {
            throw Problem.validation([FieldError(field: "cursor", message: "is not a cursor of this list; pass next_cursor unchanged")])
        }
        return key
    }

    /// A page's `next_cursor`: present when the page is full, so more may follow.
    func nextCursor<Item>(_ items: [Item], limit: Int, key: (Item) -> String) -> String? {
        items.count == limit ? items.last.map(key) : nil
    }
}
