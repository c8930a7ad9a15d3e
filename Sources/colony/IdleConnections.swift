import ColonyNode
import Foundation

/// Idle TCP connections to one address, opened the way a hostile or broken client would: each
/// connects and never sends a byte. `colony bench hostile` and the tests of a node's
/// connection limits use them. Each can come from its own loopback source address
/// (127.0.0.2, 127.0.0.3, …: on Linux all of 127/8 is this host), to play many hosts.
///
/// Not thread-safe: one caller at a time (opening blocks, so callers run it on a thread of
/// their own).
final class IdleConnections: @unchecked Sendable {
    /// How long one connection attempt may take before it counts as failed.
    static let connectTimeoutMilliseconds: Int32 = 2_000

    /// Each open connection and the source address it came from.
    private var connections: [(descriptor: Int32, source: String?)] = []
    /// Attempts that did not connect (refused, timed out, or out of descriptors here).
    private(set) var failedCount = 0
    /// Connections made, reopened ones included.
    private(set) var openedCount = 0

    /// Opens `count` connections to `target` (an IPv4 address), taking the source addresses
    /// of `sources` in turn (nil: the system's choice); returns how many connected.
    @discardableResult
    func open(_ count: Int, to target: HostPort, from sources: [String?] = [nil]) -> Int {
        var connected = 0
        for index in 0..<count {
            let source = sources.isEmpty ? nil : sources[index % sources.count]
            if connect(to: target, from: source) { connected += 1 }
        }
        return connected
    }

    /// How many connections are still open, and how many the other end has closed.
    func census() -> (open: Int, closed: Int) {
        let open = connections.filter { Self.isOpen($0.descriptor) }.count
        return (open, connections.count - open)
    }

    /// Replaces every connection the other end closed by a new one from the same source, as
    /// an attacker that reconnects would; returns how many connected again.
    @discardableResult
    func reopenClosed(to target: HostPort) -> Int {
        var kept: [(descriptor: Int32, source: String?)] = []
        var closed: [String?] = []
        for connection in connections {
            if Self.isOpen(connection.descriptor) {
                kept.append(connection)
            } else {
                close(connection.descriptor)
                closed.append(connection.source)
            }
        }
        connections = kept
        return closed.filter { connect(to: target, from: $0) }.count
    }

    /// Closes every connection.
    func closeAll() {
        for connection in connections { close(connection.descriptor) }
        connections = []
    }

    deinit {
        closeAll()
    }

    /// Opens one connection and keeps it; false if it could not be made.
    private func connect(to target: HostPort, from source: String?) -> Bool {
        guard let descriptor = Self.connect(to: target, from: source) else {
            failedCount += 1
            return false
        }
        connections.append((descriptor, source))
        openedCount += 1
        return true
    }

    /// Whether the other end has not closed `descriptor`: nothing to read, no end of stream.
    private static func isOpen(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        let read = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return read < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// One connection, or nil if it could not be made within the timeout.
    private static func connect(to target: HostPort, from source: String?) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        if let source {
            var local = socketAddress(source, port: 0)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(descriptor)
                return nil
            }
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var remote = socketAddress(target.host, port: target.port)
        let started = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard started == 0 || errno == EINPROGRESS, isWritable(descriptor) else {
            close(descriptor)
            return nil
        }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Waits, at most the connect timeout, until `descriptor` can be written to (connected).
    private static func isWritable(_ descriptor: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        return poll(&poller, 1, connectTimeoutMilliseconds) == 1
    }

    private static func socketAddress(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
