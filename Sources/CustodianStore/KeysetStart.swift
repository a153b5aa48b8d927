import Foundation

extension UUID {
    /// The least UUID, which sorts before every row's id: where a keyset page walk by id starts.
    static let keysetStart = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
