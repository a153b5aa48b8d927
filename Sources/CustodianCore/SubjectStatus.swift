/// The processing state of a data subject's record.
public enum SubjectStatus: String, Sendable, CaseIterable, Codable {
    /// Normal processing.
    case active
    /// Blocked on the subject's request (152-FZ Art. 21): kept, but not processed or disclosed.
    case restricted
    /// Depersonalised: identifying data removed, accounting facts kept.
    case erased
}
