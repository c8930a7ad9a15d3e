import ColonyStorage
import ColonyWire

/// What build of Colony this is, for `colony_build_info`, `colony --version` and
/// `colony version`: the release and the formats it speaks and stores.
public enum NodeBuild {
    /// The release this code is, in semantic versioning.
    public static let version = "0.1.0"
    /// The peer frame format this build writes and reads (`PeerFrame.version`): a node refuses
    /// a peer's frame of another version, saying which it reads.
    public static let peerProtocol = Int(PeerFrame.version)
    /// The format of the write-ahead log segments this build writes and reads.
    public static let segmentFormat = Int(StorageFormat.segmentVersion)
    /// The format of the snapshot files this build writes and reads.
    public static let snapshotFormat = Int(StorageFormat.snapshotVersion)

    /// Each fact of the build, named, in the order `colony version` prints them.
    public static let facts: [(name: String, value: String)] = [
        ("version", version),
        ("peer_protocol", String(peerProtocol)),
        ("segment_format", String(segmentFormat)),
        ("snapshot_format", String(snapshotFormat)),
    ]
}
