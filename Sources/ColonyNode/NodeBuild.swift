/// What build of Colony this is, for `colony_build_info` and `colony --version`.
public enum NodeBuild {
    /// The release this code is, in semantic versioning.
    public static let version = "0.1.0"
}
