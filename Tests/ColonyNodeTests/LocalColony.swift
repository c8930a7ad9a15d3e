import ColonyCore
import Foundation
import Glibc
import Logging
import NIOCore
@testable import ColonyNode

/// Nodes of one colony started in this process on free loopback ports, each with a data
/// directory of its own under one temporary folder.
final class LocalColony {
    let root: String
    let configs: [NodeConfig]
    let options: ColonyNodeServer.Options
    private(set) var servers: [UInt32: ColonyNodeServer] = [:]

    init(nodes: Int, options: ColonyNodeServer.Options = ColonyNodeServer.Options()) throws {
        self.options = options
        let root = NSTemporaryDirectory() + "colony-node-test-\(UUID().uuidString)"
        self.root = root
        let ports = try FreePorts.take(2 * nodes)
        let addresses = (0..<nodes).map { index in
            NodeAddress(
                node: UInt32(index + 1), peerAddress: "127.0.0.1:\(ports[2 * index])",
                clientAddress: "127.0.0.1:\(ports[2 * index + 1])")
        }
        configs = addresses.map { address in
            NodeConfig(colony: "test", node: address.node, dataDirectory: root + "/n\(address.node)", nodes: addresses)
        }
    }

    deinit {
        for server in servers.values { server.stop() }
        try? FileManager.default.removeItem(atPath: root)
    }

    func start(_ node: UInt32) throws {
        // COLONY_TEST_LOG=debug shows the nodes' logs when a test needs looking into.
        let level = ProcessInfo.processInfo.environment["COLONY_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
        var logger = Logger(label: "test") { label in
            guard level != nil else { return SwiftLogNoOpLogHandler() }
            return StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = level ?? .critical
        servers[node] = try ColonyNodeServer.start(config: configs[Int(node) - 1], options: options, logger: logger)
    }

    func startAll() throws {
        for config in configs { try start(config.node) }
    }

    func stop(_ node: UInt32) {
        servers.removeValue(forKey: node)?.stop()
    }

    /// Sends `request` to `node`, following redirects and retrying what is retryable (with
    /// the same request id), until the cell answers definitely or `attempts` run out.
    func run(_ request: ClientRequest, startingAt node: UInt32, attempts: Int = 200) throws -> ClientOutcome {
        var target = node
        var last: ClientOutcome?
        for _ in 0..<attempts {
            guard let server = servers[target] else { break }
            let outcome: ClientOutcome
            do {
                outcome = try server.submit(request, timeout: .milliseconds(500)).wait().outcome
            } catch {
                target = next(after: target)
                continue
            }
            last = outcome
            switch outcome {
            case .completed, .rejected, .sessionExpired:
                return outcome
            case .redirect(let leader, _):
                if let leader, servers[leader.rawValue] != nil { target = leader.rawValue } else { target = next(after: target) }
                // Waiting for an election is the one thing to wait for here; it is bounded by `attempts`.
                usleep(20_000)
            case .staleEpoch, .unavailable:
                usleep(20_000)
            }
        }
        throw LocalColonyError.noAnswer(last: last)
    }

    private func next(after node: UInt32) -> UInt32 {
        let running = servers.keys.sorted()
        return running.first { $0 > node } ?? running.first ?? node
    }
}

enum LocalColonyError: Error {
    case noAnswer(last: ClientOutcome?)
}

/// Free TCP ports on loopback, found by binding to port 0 and reading what the system chose.
enum FreePorts {
    static func take(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            sockets.append(fd)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}
