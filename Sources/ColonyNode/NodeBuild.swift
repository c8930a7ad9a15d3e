import ColonyCore
import Foundation

/// What build of Colony this is, for `colony_build_info`, `colony --version` and
/// `colony version`: the release and the format levels it reads (see `FormatLevel`).
public enum NodeBuild {
    /// The release this code is, in semantic versioning.
    public static let release = "0.1.0"
    /// The environment variable that, set to 1, makes this executable a rehearsal build: it
    /// stands for the next release in an upgrade rehearsal, reading format level 2 as well as
    /// level 1 (`FormatLevel.rehearsal`), and names itself `RELEASE+rehearsal`.
    public static let rehearsalVariable = "COLONY_REHEARSAL_BUILD"
    /// Whether this process runs as a rehearsal build.
    public static let isRehearsal = ProcessInfo.processInfo.environment[rehearsalVariable] == "1"
    /// The release, marked when this is a rehearsal build.
    public static let version = isRehearsal ? release + "+rehearsal" : release
    /// The format levels this build reads; it writes the one its colony's directory records,
    /// level 1 when none.
    public static let formatsRead = isRehearsal ? FormatLevel.rehearsalRead : FormatLevel.standardRead

    /// Each fact of the build, named, in the order `colony version` prints them: the release,
    /// the format levels read, and the versions of each format those levels span.
    public static let facts: [(name: String, value: String)] = [
        ("version", version),
        ("format_levels", formatsRead.numbers),
        ("peer_protocol", formatsRead.versions(\.peerFrameVersion)),
        ("segment_format", formatsRead.versions(\.segmentVersion)),
        // Level 1 reads the snapshots of format 1 too.
        ("snapshot_format", "1-\(formatsRead.upperBound.snapshotVersion)"),
    ]
}
