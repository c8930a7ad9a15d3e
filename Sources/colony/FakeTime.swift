import Foundation

/// libfaketime, through which `colony chaos` starts a node with its wall clock set off: the
/// library, preloaded into the node, answers its wall-clock reads (`clock_gettime` with
/// `CLOCK_REALTIME`, `gettimeofday`, `time`) with the true time plus an offset, and, told
/// `FAKETIME_DONT_FAKE_MONOTONIC`, leaves the monotonic clock (which drives the node's ticks
/// and timeouts) alone: a machine whose time service went wrong, not one whose timers did.
struct FakeTime: Sendable {
    /// The library preloaded.
    var library: String

    /// Where Debian's and Ubuntu's `faketime` package puts the library, by architecture, and
    /// where a build from source installs it.
    static let libraryPaths = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ]

    /// The library, found at the first of `paths` that holds it, or a failure that names the
    /// package to install.
    static func locate(paths: [String] = libraryPaths) -> Result<FakeTime, CommandFailure> {
        guard let library = paths.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            return .failure(CommandFailure(
                .unavailable,
                "the clock-skew fault runs a node under libfaketime, which is not installed (Debian, Ubuntu: apt-get install faketime); looked for "
                    + paths.joined(separator: ", ")))
        }
        return .success(FakeTime(library: library))
    }

    /// Why a clock cannot be skewed here, or nil if it can.
    static var missing: String? {
        if case .failure(let failure) = locate() { return failure.message }
        return nil
    }

    /// The command a program runs under to see its wall clock `offsetSeconds` ahead (or
    /// behind, if negative) of the true time, its monotonic clock untouched.
    func wrapper(offsetSeconds: Int64) -> [String] {
        [
            "/usr/bin/env", "LD_PRELOAD=\(library)", "FAKETIME=\(Self.offsetText(offsetSeconds))", "FAKETIME_DONT_FAKE_MONOTONIC=1",
        ]
    }

    /// Deletes the semaphore and shared memory libfaketime made at the start of process `pid`
    /// (named for its pid) to share its clock with children: the process deletes them when it
    /// exits, but one killed by SIGKILL leaves them behind.
    static func removeSharedClock(of pid: Int32) {
        sem_unlink("/faketime_sem_\(pid)")
        shm_unlink("/faketime_shm_\(pid)")
    }

    /// An offset as `FAKETIME` reads a relative one: seconds, with their sign (`+300`, `-42`).
    static func offsetText(_ seconds: Int64) -> String {
        seconds < 0 ? String(seconds) : "+\(seconds)"
    }
}
