/// A command's failure with the status it exits with, for failures that are not already a
/// typed error of the client or the control plane.
struct CommandFailure: Error, CustomStringConvertible, Sendable {
    /// The exit status.
    var status: ExitStatus
    /// What went wrong and what to do about it, in a sentence or two.
    var message: String

    /// A failure exiting with `status`, saying `message`.
    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}
