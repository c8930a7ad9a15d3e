import ArgumentParser
import ColonyBackup
import ColonyClient
import ColonyControl
import ColonyNode
import Foundation

/// The exit statuses of `colony`, one per kind of outcome a script may want to tell apart,
/// and the one place that decides which status an error ends a command with.
///
/// etcdctl exits 1 for nearly every failure; a script driving Colony can branch on a key being
/// absent, a compare-and-set losing, a refusal, or the colony being out of reach without
/// reading the message. 64 and 70 are sysexits.h's `EX_USAGE` and `EX_SOFTWARE`.
enum ExitStatus: Int32, CaseIterable, Sendable {
    /// The command did what it was asked.
    case success = 0
    /// The colony refused the request for a reason of its own (invalid, too large, over
    /// quota, exists already, ...), a check found a history not linearizable, or a file the
    /// command writes could not be written.
    case failure = 1
    /// An input file (a history, a transaction, a log folder) could not be read or is not valid.
    case invalidInput = 2
    /// The key, cell or node does not exist (`get` of an absent key, an unknown cell).
    case notFound = 3
    /// A compare-and-set or a transaction's condition found something else: nothing was written.
    case conditionFailed = 4
    /// The colony's authorization refused this client's identity.
    case permissionDenied = 5
    /// No node could be reached or answered in time; nothing was applied.
    case unavailable = 6
    /// The command gave up waiting for a write: it may or may not have taken effect.
    case outcomeUnknown = 7
    /// The linearizability checker gave up within its budget: neither a pass nor a violation.
    case undecided = 8
    /// The command line is wrong, or names a colony, certificate or folder that is not there.
    case usage = 64
    /// Something the command did not expect went wrong: a bug to report.
    case `internal` = 70

    /// The status's name in JSON errors, stable for scripts.
    var name: String {
        switch self {
        case .success: "success"
        case .failure: "failure"
        case .invalidInput: "invalid_input"
        case .notFound: "not_found"
        case .conditionFailed: "condition_failed"
        case .permissionDenied: "permission_denied"
        case .unavailable: "unavailable"
        case .outcomeUnknown: "outcome_unknown"
        case .undecided: "undecided"
        case .usage: "usage"
        case .internal: "internal"
        }
    }

    /// The status `error` ends a command with.
    static func of(_ error: any Error) -> ExitStatus {
        switch error {
        case let failure as CommandFailure: failure.status
        case let exit as ExitCode: ExitStatus(rawValue: exit.rawValue) ?? .failure
        case let error as ColonyError: of(error)
        case let error as DirectoryError: of(error)
        case let error as ControlError: of(error)
        case is ValidationError, is CertificateFolderError: .usage
        case is LoadError, is ChaosError: .unavailable
        case is BackupFolderError: .failure
        case is BackupVerificationError: .invalidInput
        case is CocoaError, is POSIXError: .failure
        case NodeStartError.formatLevelUnread: .conditionFailed
        default: Colony.exitCode(for: error) == .validationFailure ? .usage : .internal
        }
    }

    private static func of(_ error: ColonyError) -> ExitStatus {
        switch error {
        case .cellNotFound, .cellDeleted: .notFound
        case .conditionFailed: .conditionFailed
        case .unauthorized: .permissionDenied
        case .unavailable: .unavailable
        case .outcomeUnknown: .outcomeUnknown
        case .compacted, .invalidArgument, .valueTooLarge, .quotaExceeded, .notAnInteger, .integerOverflow,
             .transactionStepFailed, .cellExists:
            .failure
        }
    }

    private static func of(_ error: DirectoryError) -> ExitStatus {
        switch error {
        case .unreachable: .unavailable
        case .missing, .unknownNode, .unknownCell: .notFound
        case .unauthorized: .permissionDenied
        case .refused: .failure
        case .malformedRecord: .internal
        }
    }

    private static func of(_ error: ControlError) -> ExitStatus {
        switch error {
        case .directory(let error): of(error)
        case .cell(_, let error): of(error)
        case .placement, .reservedName, .illegalTransition, .moveUnderWay, .placedDifferently, .notAMember, .invalidTarget,
             .policy, .joinRefused:
            .failure
        }
    }
}

extension ExitCode {
    /// The exit code of `status`, for a command that has printed its outcome already.
    init(_ status: ExitStatus) {
        self.init(status.rawValue)
    }
}
