import CustodianQueue

/// Tell one recipient that processing of a subject's data is restricted, or that the restriction is lifted (GDPR Art. 19).
public enum RestrictionNoticeJob: JobKind {
    public typealias Payload = NoticeJobPayload

    public static let name = "restriction_notice"
    public static let maximumAttempts = 20
    public static let defaultConcurrency = 4
}
