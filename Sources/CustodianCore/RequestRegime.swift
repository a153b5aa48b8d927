/// The law a subject request, an erasure and its cascade are handled under: Russia's 152-FZ or the EU's GDPR. The one
/// regime type: deadlines, destruction records and the OpenDSR `regulation` of erasure requests all name it.
public enum RequestRegime: String, Sendable, CaseIterable, Codable {
    case fz152
    case gdpr
}
