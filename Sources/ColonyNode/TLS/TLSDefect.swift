/// A deliberately broken behaviour of a node's certificate rotation. Each one removes one
/// safety mechanism; tests switch them on to show that they notice. Never set in production:
/// the `colony` command has no way to set them.
@_spi(Testing) public enum TLSDefect: Hashable, Sendable, CaseIterable {
    /// The gRPC client port checks clients' certificates against the CAs the node started
    /// with, as its transport does by itself: a CA removed from the CA file stays trusted
    /// there, and a CA added is not, until the node restarts.
    case clientTrustFixed
    /// A node takes up changed TLS files that TLS can load without `TLSMaterial`'s checks: a
    /// certificate of another node, or of a CA the colony does not trust, replaces its own,
    /// and its peers and clients refuse it from then on.
    case changedFilesUnchecked
}
