import Foundation

/// How many file descriptors the process may open.
enum DescriptorLimit {
    /// The soft limit on open file descriptors (`RLIMIT_NOFILE`); `Int.max` when unlimited.
    static func soft() -> Int {
        var limit = rlimit()
        #if canImport(Glibc)
        let read = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let read = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard read == 0 else { return Int.max }
        // Unlimited (RLIM_INFINITY, all bits set) clamps to Int.max.
        return Int(clamping: limit.rlim_cur)
    }
}
