/// A deliberately broken behaviour of a node's authorization. Each one removes one safety
/// mechanism; tests switch them on to show that they notice. Never set in production: the
/// `colony` command has no way to set them.
@_spi(Testing) public enum AuthorizationDefect: Hashable, Sendable, CaseIterable {
    /// The cell keeps each session under the `client_id` the client sent, not bound to its
    /// identity (`SessionNamespace`), so anyone can advance another's session.
    case sessionsUnbound
    /// A node starts enforcing nothing instead of the policy it kept on disk, so a node
    /// restarted while the directory is unreachable lets everyone do anything.
    case policyNotKept
    /// A node that has read no policy takes the first "cell not found" for the directory as a
    /// colony without one (`DirectoryCensus` is skipped), so a node on a new data directory
    /// enforces nothing while every member of the directory is out of its reach.
    case noDirectoryCensus
    /// A node that has read the directory, and hosts no replica of it, answers a request for it
    /// "cell not found" (`APIMapping.result`), so a new node whose configuration names only
    /// such nodes takes the colony for one without a directory.
    case directoryCalledNotFound
}
