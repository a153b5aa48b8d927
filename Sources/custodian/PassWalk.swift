/// Walks a table in batches in key order from `start` until `batch` says the pass has ended (no next position), then
/// passes again from `start` for what the last pass went by (rows written or locked meanwhile), until a whole pass
/// finds nothing: each batch searches from where the previous one stopped instead of from the table's start.
/// `batch` returns how many rows it changed and where the next batch starts.
func walkInPasses<Position>(from start: Position, _ batch: (Position) async throws -> (changed: Int, next: Position?)) async throws {
    var position: Position? = start
    var changedInPass = 0
    while true {
        guard let current = position else {
            if changedInPass == 0 { return }
            (position, changedInPass) = (start, 0)
            continue
        }
        let (changed, next) = try await batch(current)
        (position, changedInPass) = (next, changedInPass + changed)
    }
}
