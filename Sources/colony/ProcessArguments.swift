import Foundation

/// The arguments this process was started with, after the executable's name.
///
/// Swift on Linux finds a process's arguments beside its initial environment. A library
/// preloaded into the process that sets an environment variable before `main` moves the
/// environment, and `CommandLine.arguments` comes out empty: libfaketime does (it passes its
/// shared clock on to children that way), and `colony chaos --faults clock-skew` runs nodes
/// under it. The kernel's copy of the arguments, `/proc/self/cmdline`, is read then.
enum ProcessArguments {
    /// The arguments after the executable's name: `CommandLine.arguments`, or the kernel's
    /// copy when that is empty (it always holds the executable's name otherwise).
    static var afterExecutable: [String] {
        guard CommandLine.arguments.isEmpty else { return Array(CommandLine.arguments.dropFirst()) }
        let commandLine = FileManager.default.contents(atPath: "/proc/self/cmdline") ?? Data()
        return Array(split(commandLine: Array(commandLine)).dropFirst())
    }

    /// The arguments of a command line as `/proc/PID/cmdline` holds it: each one ended by a
    /// NUL byte; an empty argument stays, a last one without its NUL counts too.
    static func split(commandLine bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        if bytes.last == 0 { parts.removeLast() }
        return parts.map { String(decoding: $0, as: UTF8.self) }
    }
}
