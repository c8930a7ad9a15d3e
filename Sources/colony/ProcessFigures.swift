import Foundation

/// What the system says about a process and its open file limit (Linux's /proc; elsewhere
/// nothing is known).
enum ProcessFigures {
    /// Resident memory of process `pid`, in bytes.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1_024
    }

    /// CPU time process `pid` has used, user and system (utime and stime), in seconds.
    static func cpuSeconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return cpuSeconds(stat: stat, ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// The CPU time, user and system, that a process's `/proc/PID/stat` line `stat` says, in
    /// seconds of `ticksPerSecond` clock ticks; nil if the line is not one.
    static func cpuSeconds(stat: String, ticksPerSecond: Int) -> Double? {
        // The command name, in parentheses, may hold spaces and parentheses: the fields go on
        // after its last ")", from field 3 (state); utime is field 14, stime 15.
        guard ticksPerSecond > 0, let nameEnd = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return (Double(user) + Double(system)) / Double(ticksPerSecond)
    }

    /// Open file descriptors of process `pid`.
    static func openFiles(of pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }
}

/// This process's limit on open files.
enum OpenFileLimit {
    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    /// The soft limit now.
    static var current: UInt64 {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        return UInt64(limit.rlim_cur)
    }

    /// Raises the soft limit to the hard limit, as a process holding many connections should
    /// (a node keeps its connections within whatever limit it gets; its children inherit
    /// it); returns the limits before and after when it raised it.
    static func raiseToHard() -> (from: UInt64, to: UInt64)? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return nil }
        let before = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(resource, &limit) == 0 else { return nil }
        return (UInt64(before), UInt64(limit.rlim_max))
    }
}
