import NIOConcurrencyHelpers

/// The ids of the jobs one claim loop holds (running or finished but not yet recorded), whose leases it extends.
final class HeldLeases: Sendable {
    private let storage = NIOLockedValueBox<Set<Int64>>([])

    var ids: [Int64] { storage.withLockedValue { Array($0) } }

    func insert(_ ids: [Int64]) {
        storage.withLockedValue { $0.formUnion(ids) }
    }

    func remove(_ ids: [Int64]) {
        storage.withLockedValue { $0.subtract(ids) }
    }
}
