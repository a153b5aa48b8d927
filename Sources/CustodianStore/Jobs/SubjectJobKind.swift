import CustodianQueue

/// A job kind of Custodian's: it concerns one data subject, and says whether running it discloses the subject's data
/// to a third party. Disclosing jobs are held while their subject is restricted and cancelled when it is erased;
/// jobs that only reduce what a recipient holds (opt-outs, erasure requests) run regardless.
public protocol SubjectJobKind: JobKind {
    static var disclosesSubjectData: Bool { get }
}
