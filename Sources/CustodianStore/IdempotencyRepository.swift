import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A response stored for replay.
public struct StoredResponse: Sendable, Equatable {
    public let status: Int
    public let location: String?
    public let body: [UInt8]

    public init(status: Int, location: String?, body: [UInt8]) {
        self.status = status
        self.location = location
        self.body = body
    }
}

/// What to do with a request that carries an Idempotency-Key.
public enum IdempotencyDecision: Sendable, Equatable {
    /// First use of the key: run the request, then ``IdempotencyRepository/complete`` or ``IdempotencyRepository/release``.
    case proceed
    /// The key was used with the same request: answer with the stored response.
    case replay(StoredResponse)
    /// The key was used with a different request.
    case mismatch
    /// The first request with this key is still running.
    case inProgress
}

/// Idempotency records, scoped to the API key and kept for ``retention``. A response that names a subject (its id in
/// the path or the body) is stored sealed under that subject's key, with the subject's id, so the subject's erasure
/// deletes it and shreds every earlier copy.
public struct IdempotencyRepository: Sendable {
    let database: Database

    /// How long a key is remembered (published in the API description).
    public static let retention: Duration = .seconds(24 * 3600)
    /// How long a running request holds its key before a crash is assumed and the key becomes usable again.
    public static let lockDuration: Duration = .seconds(60)

    public init(database: Database) {
        self.database = database
    }

    /// Claims the key for a request with `requestHash`, or says why not.
    public func begin(apiKeyID: UUID, key: String, requestHash: [UInt8]) async throws -> IdempotencyDecision {
        let retention = Self.retention.components.seconds
        let lock = Self.lockDuration.components.seconds
        let hash = ByteBuffer(bytes: requestHash)
        for _ in 0..<3 {
            let claimed = try await database.query("""
                INSERT INTO idempotency_keys (api_key_id, key, request_hash, locked_until)
                VALUES (\(apiKeyID), \(key), \(hash), now() + make_interval(secs => \(lock)))
                ON CONFLICT (api_key_id, key) DO UPDATE SET
                    request_hash = EXCLUDED.request_hash, locked_until = EXCLUDED.locked_until,
                    response_status = NULL, response_location = NULL, response_body = NULL, created_at = now()
                WHERE idempotency_keys.created_at < now() - make_interval(secs => \(retention))
                   OR (idempotency_keys.response_status IS NULL AND idempotency_keys.locked_until < now())
                RETURNING true
                """).decode(Bool.self).first { _ in true }
            if claimed != nil { return .proceed }

            let existing = try await database.query("""
                SELECT i.request_hash, i.response_status, i.response_location, i.response_body, i.subject_id, k.kek_id, k.wrapped
                FROM idempotency_keys i LEFT JOIN custodian_keys.subject_keys k ON k.subject_id = i.subject_id
                WHERE i.api_key_id = \(apiKeyID) AND i.key = \(key)
                """)
                .decode((ByteBuffer, Int?, String?, ByteBuffer?, UUID?, String?, ByteBuffer?).self).first { _ in true }
            guard let (storedHash, status, location, body, subjectID, kekID, wrapped) = existing else { continue }
            if Array(buffer: storedHash) != requestHash { return .mismatch }
            guard let status else { return .inProgress }
            var bytes = body.map { Data(buffer: $0) } ?? Data()
            if let subjectID, DataKey.isSealed(data: bytes) {
                guard let dataKey = try SubjectKeys.cipher(
                    subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: try database.requireKeys()).key else {
                    // Its subject was erased since: the response went with the subject's key, and the key is free again.
                    try await database.query("DELETE FROM idempotency_keys WHERE api_key_id = \(apiKeyID) AND key = \(key)")
                    continue
                }
                bytes = try dataKey.open(data: bytes, context: Self.context(apiKeyID: apiKeyID, key: key))
            }
            return .replay(StoredResponse(status: status, location: location, body: Array(bytes)))
        }
        return .inProgress
    }

    /// Stores the response of the request that claimed the key; `path` is the request's, which may name the subject.
    public func complete(apiKeyID: UUID, key: String, path: String, response: StoredResponse) async throws {
        let keys = try database.requireKeys()
        let named = Self.uuids(in: Array(path.utf8)) + Self.uuids(in: response.body)
        try await database.withConnection { connection in
            let logger = database.logger
            var body = Data(response.body)
            var subjectID: UUID?
            if !named.isEmpty, let (id, status) = try await connection.query("""
                SELECT id, status FROM subjects WHERE id = ANY(\(named)) ORDER BY array_position(\(named), id) LIMIT 1
                """, logger: logger).decode((UUID, String).self).first(where: { _ in true }), status != SubjectStatus.erased.rawValue,
               let dataKey = try await SubjectKeys.obtain(subjectID: id, keys: keys, on: connection, logger: logger).key {
                subjectID = id
                body = dataKey.seal(data: body, context: Self.context(apiKeyID: apiKeyID, key: key))
            }
            try await connection.query("""
                UPDATE idempotency_keys SET response_status = \(response.status), response_location = \(response.location),
                    response_body = \(ByteBuffer(data: body)), subject_id = \(subjectID), locked_until = NULL
                WHERE api_key_id = \(apiKeyID) AND key = \(key) AND response_status IS NULL
                """, logger: logger)
        }
    }

    /// The context a stored response is sealed for.
    static func context(apiKeyID: UUID, key: String) -> String { "idempotency_keys.response_body/" + apiKeyID.uuidString.lowercased() + "/" + key }

    /// The UUIDs written out in `bytes` (8-4-4-4-12 hex digits), in order, at most 32.
    static func uuids(in bytes: [UInt8]) -> [UUID] {
        var found: [UUID] = []
        var index = 0
        while index + 36 <= bytes.count, found.count < 32 {
            if bytes[index + 8] == 0x2D, bytes[index + 13] == 0x2D, bytes[index + 18] == 0x2D, bytes[index + 23] == 0x2D,
               let id = UUID(uuidString: String(decoding: bytes[index..<index + 36], as: UTF8.self)) {
                if !found.contains(id) { found.append(id) }
                index += 36
            } else {
                index += 1
            }
        }
        return found
    }

    /// Forgets an unfinished claim (the request failed with a 5xx), so a retry runs again.
    public func release(apiKeyID: UUID, key: String) async throws {
        try await database.query("""
            DELETE FROM idempotency_keys WHERE api_key_id = \(apiKeyID) AND key = \(key) AND response_status IS NULL
            """)
    }

    /// Deletes records older than the retention, in batches; returns how many were deleted.
    @discardableResult
    public func prune(batchSize: Int = 1000) async throws -> Int {
        let retention = Self.retention.components.seconds
        var total = 0
        while true {
            let deleted = try await database.query("""
                WITH expired AS (
                    SELECT api_key_id, key FROM idempotency_keys
                    WHERE created_at < now() - make_interval(secs => \(retention)) LIMIT \(batchSize)
                )
                DELETE FROM idempotency_keys k USING expired e
                WHERE k.api_key_id = e.api_key_id AND k.key = e.key
                RETURNING 1
                """).decode(Int.self).reduce(0) { count, _ in count + 1 }
            total += deleted
            if deleted < batchSize { return total }
        }
    }
}
