import ArgumentParser
import ColonyNode
import Foundation

/// `colony bench flood`: holds idle connections against an address, as an attacker without a
/// certificate would, reopening each one the other end closes, until SIGTERM or SIGINT. One
/// process holds at most what its open file limit allows, so `colony bench hostile` runs
/// several. It prints `ready` once its first connections are made and
/// `done OPENED FAILED HELD_MAX` when stopped.
struct FloodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flood",
        abstract: "Hold idle connections against an address until stopped, reopening those it closes."
    )

    @Option(help: "HOST:PORT (IPv4) to connect to.") var target: String
    @Option(help: "Idle connections to keep trying to hold.") var connections = 10_000
    @Option(help: "Loopback source addresses to connect from, 127.0.0.N for N from --first-host on (0: the system's choice).")
    var hosts = 50
    @Option(help: "The N of the first loopback source address 127.0.0.N.") var firstHost = 2

    func validate() throws {
        guard HostPort(target) != nil else { throw ValidationError("--target must be HOST:PORT") }
        guard (1...1_000_000).contains(connections) else { throw ValidationError("--connections must be from 1 to 1000000") }
        guard (0...254).contains(hosts), (1...254).contains(firstHost), firstHost + hosts <= 255 else {
            throw ValidationError("--first-host and --hosts must name addresses within 127.0.0.1 to 127.0.0.254")
        }
    }

    func run() async throws {
        _ = OpenFileLimit.raiseToHard()
        guard let address = HostPort(target) else { throw ValidationError("--target must be HOST:PORT") }
        let sources: [String?] = hosts == 0 ? [nil] : (0..<hosts).map { "127.0.0.\(firstHost + $0)" }
        let flood = ConnectionFlood(target: address, count: connections, sources: sources)
        let stopped = StopRequest.onTermination()
        await flood.start()
        printNow("ready")
        await stopped.wait()
        let figures = flood.stop()
        printNow("done \(figures.opened) \(figures.failed) \(figures.heldMax)")
    }
}

/// SIGTERM or SIGINT, turned into something to await.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var waiting: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    /// Catches SIGTERM and SIGINT from now on.
    static func onTermination() -> StopRequest {
        let request = StopRequest()
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { request.fire() }
            source.resume()
            request.sources.append(source)
        }
        return request
    }

    /// Returns once a signal came.
    func wait() async {
        await withCheckedContinuation { continuation in
            let already = lock.withLock {
                if !requested { waiting = continuation }
                return requested
            }
            if already { continuation.resume() }
        }
    }

    private func fire() {
        let continuation = lock.withLock {
            requested = true
            defer { waiting = nil }
            return waiting
        }
        continuation?.resume()
    }
}
