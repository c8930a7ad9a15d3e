/// A deliberately broken behaviour of recovery. Each one removes one safety mechanism; tests
/// switch them on to show that the simulator notices. Never set in production: the `colony`
/// command has no way to set them.
@_spi(Testing) public enum StorageDefect: Hashable, Sendable, CaseIterable {
    /// Recovery takes every bad stretch at the end of the newest segment for a torn write and
    /// cuts it away, ignoring the commit marker that proves the batch was written whole (and
    /// so may have been synced and acknowledged).
    case everyBadTailIsTorn
}
