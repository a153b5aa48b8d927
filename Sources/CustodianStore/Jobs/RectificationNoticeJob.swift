import CustodianQueue

/// Tell one recipient which of the subject's data it holds were corrected (GDPR Art. 19).
public enum RectificationNoticeJob: JobKind {
    public typealias Payload = NoticeJobPayload

    public static let name = "rectification_notice"
    public static let maximumAttempts = 20
    public static let defaultConcurrency = 4
}
