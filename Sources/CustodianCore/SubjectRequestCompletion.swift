/// Where a rectification notice to one recipient stands.
public enum RectificationNoticeStatus: String, Sendable, CaseIterable, Codable {
    /// Not yet delivered (the job is queued or retrying, or held while the subject is restricted).
    case pending
    /// The recipient was told.
    case delivered
    /// Delivery failed for good: the DPO retries it or follows up by hand.
    case failed
    /// Withdrawn: its job was cancelled, or the subject was erased (the erasure request replaces it).
    case cancelled
}

/// When a fulfilled request whose work waits on recipients is complete: the controller must tell every recipient of
/// an erasure or a correction (GDPR Art. 19, 152-FZ Art. 21(3)), so the request stays in progress until each of them
/// is settled one way or the other, and a failure waits for the DPO.
public enum SubjectRequestCompletion {
    /// An erasure request is complete once every recipient confirmed or its request was withdrawn.
    public static func isComplete(erasureRequests: [ErasureRequestStatus]) -> Bool {
        erasureRequests.allSatisfy { status in
            switch status {
            case .completed, .cancelled: true
            case .pending, .awaitingConfirmation, .failed: false
            }
        }
    }

    /// A rectification request is complete once every notice was delivered or withdrawn.
    public static func isComplete(notices: [RectificationNoticeStatus]) -> Bool {
        notices.allSatisfy { status in
            switch status {
            case .delivered, .cancelled: true
            case .pending, .failed: false
            }
        }
    }
}
