/// Where a job stands. The `jobs.state` column holds exactly these values.
public enum JobState: String, Sendable, CaseIterable, Codable {
    /// Due at `run_at`, waiting for a worker.
    case available
    /// Leased to a worker until `lease_expires_at`.
    case running
    /// Parked by the domain (its subject is restricted) until released.
    case held
    case succeeded
    /// Failed for good: a permanent failure, or no attempts left.
    case failed
    /// Stopped by an operator or by the domain.
    case cancelled

    /// The states in which a job still holds its unique key.
    public static let live: [JobState] = [.available, .running, .held]

    /// Whether the job is over.
    public var isFinished: Bool {
        switch self {
        case .available, .running, .held: false
        case .succeeded, .failed, .cancelled: true
        }
    }
}
