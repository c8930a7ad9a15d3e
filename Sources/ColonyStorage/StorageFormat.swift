/// The on-disk formats this build writes and reads, for `colony version` and the nodes'
/// `colony_build_info`. A segment of another version is refused at recovery with a message
/// naming both versions.
public enum StorageFormat {
    /// The format of write-ahead log segments (`SegmentHeader`).
    public static let segmentVersion = SegmentHeader.version
    /// The format of snapshot files (`SnapshotFile`).
    public static let snapshotVersion = SnapshotFile.version
}
