import Foundation
import Synchronization

/// Free TCP ports on loopback for local colonies and tests.
///
/// A port the system hands out for port 0 comes from its ephemeral range, the same range it
/// draws the source ports of outgoing connections from: between closing it and a node binding
/// it, any connection may take it ("Address already in use"). So ports are drawn at random
/// from below that range, where the system never picks on its own, each checked free by
/// binding it, and never handed out twice by this process.
enum FreePorts {
    /// The lowest port drawn from: above the well-known and most registered services' ports.
    static let lowest = 10_000
    /// Ports this process handed out already.
    private static let handedOut = Mutex(Set<Int>())

    /// `count` distinct ports that were free a moment ago and that the system will not give
    /// to outgoing connections; callers bind them soon after.
    static func take(_ count: Int) throws -> [Int] {
        let highest = ephemeralRangeStart() - 1
        guard highest - lowest >= count * 4 else {
            throw POSIXError(.EADDRNOTAVAIL, userInfo: [
                NSLocalizedDescriptionKey: "the system's ephemeral port range starts at \(highest + 1), leaving too few ports below it to choose from"
            ])
        }
        return try handedOut.withLock { handedOut in
            var ports: [Int] = []
            var attempts = 0
            while ports.count < count {
                attempts += 1
                guard attempts <= 10_000 else {
                    throw POSIXError(.EADDRINUSE, userInfo: [
                        NSLocalizedDescriptionKey: "no free loopback port found from \(lowest) to \(highest) after 10000 tries"
                    ])
                }
                let port = Int.random(in: lowest...highest)
                guard !handedOut.contains(port), isFree(port) else { continue }
                handedOut.insert(port)
                ports.append(port)
            }
            return ports
        }
    }

    /// Whether binding `port` on 127.0.0.1 succeeds now.
    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }

    /// The first port of the system's ephemeral range (Linux's default when it cannot be read).
    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }
}
