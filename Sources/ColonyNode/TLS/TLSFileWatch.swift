/// When a running node takes up its changed TLS files: the decision, apart from reading the
/// files and making contexts.
///
/// The node reads its three files every poll. A rotation writes them one after the other
/// (the key, then the certificate; or the CA bundle alone), so a change is checked only once
/// two reads in a row agree: a half-written set is not refused for being half written. A set
/// that fails the checks is refused once, loudly, and the node keeps the set it has until the
/// files change again.
///
/// States: `taken` is the set in use; `lastRead` the previous poll's read; `refused` the read
/// last refused. `observe` returns `.check` only for a read that differs from `taken` and
/// from `refused` and equals `lastRead`; `took` makes a checked read the one in use, and
/// `refuse` remembers one that failed.
struct TLSFileWatch {
    /// What one poll read: the three files' text, or why they could not be read.
    enum Read: Hashable {
        /// The three files, read whole.
        case contents(TLSFileContents)
        /// A file was missing, unreadable or too big.
        case unreadable(TLSFileError)
    }

    /// What to do after a poll.
    enum Step: Equatable {
        /// The files hold the set in use, or the set already refused: nothing to do.
        case unchanged
        /// The files changed since the last poll: wait for them to settle.
        case settling
        /// The files changed and read the same twice: check them and take them up or refuse them.
        case check
    }

    /// The set in use.
    private(set) var taken: TLSFileContents
    private var lastRead: Read?
    private var refused: Read?

    /// A watch whose set in use is `taken`.
    init(taken: TLSFileContents) {
        self.taken = taken
    }

    /// What to do about `read`, this poll's read of the files.
    mutating func observe(_ read: Read) -> Step {
        defer { lastRead = read }
        if read == .contents(taken) {
            refused = nil
            return .unchanged
        }
        if read == refused { return .unchanged }
        return read == lastRead ? .check : .settling
    }

    /// Records that `contents`, checked, is now the set in use.
    mutating func took(_ contents: TLSFileContents) {
        taken = contents
        refused = nil
    }

    /// Records that `read` failed its checks: it is not checked again until the files change.
    mutating func refuse(_ read: Read) {
        refused = read
    }
}
