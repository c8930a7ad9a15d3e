/// A deliberately broken behaviour of a node's peer book. Each one removes one safety
/// mechanism; tests switch them on to show that they notice. Never set in production: the
/// `colony` command has no way to set them.
@_spi(Testing) public enum PeerBookDefect: Hashable, Sendable, CaseIterable {
    /// The node reads the directory's node records as often as it is asked, instead of at
    /// most once per `peerBookRefreshGapMin`: every hello under an unknown node id costs a
    /// directory read.
    case readsUnbounded
}
