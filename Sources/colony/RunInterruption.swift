import Dispatch
import Foundation

/// What `colony chaos` and `colony bench scale` do when interrupted (SIGINT or SIGTERM): kill
/// the node processes of the run under way, continuing any paused first, so that none is left
/// stopped, holding its ports and data, once the command is gone; remove the run's network
/// namespaces, veths and bridge, and unmount its nodes' volumes, if it made them, and delete
/// the shared clock libfaketime leaves in /dev/shm for a node killed while its clock was
/// skewed; then end by the same signal. The run's folder stays.
final class RunInterruption: @unchecked Sendable {
    private let lock = NSLock()
    private var nodes: LocalNodes?
    private var network: NamespaceNetwork?
    private var volumes: NodeVolumes?
    private var sources: [any DispatchSourceSignal] = []

    /// Catches SIGINT and SIGTERM from now on.
    static func catchingSignals() -> RunInterruption {
        let interruption = RunInterruption()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { interruption.interrupted(by: number) }
            source.resume()
            interruption.sources.append(source)
        }
        return interruption
    }

    /// Names the nodes of the run under way; nil between runs.
    func running(_ nodes: LocalNodes?) {
        lock.withLock { self.nodes = nodes }
    }

    /// Names the network the run under way made for its nodes; nil between runs, or on loopback.
    func running(on network: NamespaceNetwork?) {
        lock.withLock { self.network = network }
    }

    /// Names the volumes the run under way mounted for its nodes' data; nil between runs, or
    /// without disk faults.
    func running(with volumes: NodeVolumes?) {
        lock.withLock { self.volumes = volumes }
    }

    private func interrupted(by number: Int32) {
        let (pids, network, volumes) = lock.withLock { (nodes?.nodePids ?? [], self.network, self.volumes) }
        for pid in pids {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
            // Named for the node's pid, so nothing if it did not run skewed.
            FakeTime.removeSharedClock(of: pid)
        }
        printError("interrupted: killed the \(pids.count) node processes of the run under way")
        if let network {
            let leftovers = network.tearDown()
            printError(leftovers.isEmpty
                ? "interrupted: removed the run's network namespaces \(network.plan.namespace(1))… and bridge \(network.plan.bridge)"
                : "interrupted: could not remove \(leftovers.joined(separator: ", "))")
        }
        if let volumes {
            // Killed processes let go of their volumes as the kernel reaps them: a moment.
            let left = volumes.unmountAll()
            printError(left.isEmpty ? "interrupted: unmounted the nodes' volumes" : "interrupted: could not unmount \(left.joined(separator: ", "))")
        }
        signal(number, SIG_DFL)
        kill(getpid(), number)
    }
}
