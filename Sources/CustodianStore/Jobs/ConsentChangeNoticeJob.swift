import CustodianQueue

/// Tell one recipient that a subject granted or withdrew a purpose it processes for (a `consent.changed` webhook).
public enum ConsentChangeNoticeJob: JobKind {
    public typealias Payload = NoticeJobPayload

    public static let name = "consent_change_notice"
    public static let maximumAttempts = 20
    public static let defaultConcurrency = 4
}
