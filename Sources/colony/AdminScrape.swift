import ColonyNode
import Dispatch
import Foundation

/// Reads a node's admin endpoint with one plain HTTP/1.0 request, for commands that report a
/// node's own figures.
enum AdminScrape {
    /// The longest answer read, unless the caller says otherwise.
    static let answerBytesMax = 4 << 20

    /// The body of `path` at `address` (HOST:PORT), read up to `bytesMax` with at most
    /// `waitSeconds` between two reads, or nil if it could not be read.
    static func get(_ path: String, from address: String, bytesMax: Int = answerBytesMax, waitSeconds: Int = 5) -> String? {
        guard let target = HostPort(address) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_addr.s_addr = inet_addr(target.host)
        remote.sin_port = UInt16(target.port).bigEndian
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var timeout = timeval(tv_sec: waitSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.0\r\nhost: \(address)\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            return nil
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while answer.count < bytesMax {
            let read = recv(descriptor, &buffer, buffer.count, 0)
            guard read > 0 else { break }
            answer += buffer[..<read]
        }
        let text = String(decoding: answer, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) }
    }

    /// The body of `path` at each of `addresses` (nil: none to ask), all asked at once, each on
    /// a thread of its own and waiting at most `waitSeconds`; in the order of `addresses`, nil
    /// where none was read.
    static func getAll(_ path: String, from addresses: [String?], waitSeconds: Int) async -> [String?] {
        await withTaskGroup(of: (Int, String?).self) { group in
            for (index, address) in addresses.enumerated() {
                guard let address else { continue }
                group.addTask {
                    await withCheckedContinuation { continuation in
                        DispatchQueue.global().async {
                            continuation.resume(returning: (index, get(path, from: address, waitSeconds: waitSeconds)))
                        }
                    }
                }
            }
            var pages = [String?](repeating: nil, count: addresses.count)
            for await (index, page) in group { pages[index] = page }
            return pages
        }
    }

    /// The value of the metric line starting with `name` (labels included) in Prometheus text.
    static func metric(_ name: String, in page: String) -> Double? {
        page.split(separator: "\n").first { $0.hasPrefix(name + " ") }?.split(separator: " ").last.flatMap { Double($0) }
    }

    /// The sum of every series of metric `name`, whatever its labels (a per-peer counter over
    /// all peers); nil when the page has none.
    static func total(_ name: String, in page: String) -> Double? {
        let values = page.split(separator: "\n")
            .filter { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        return values.isEmpty ? nil : values.reduce(0, +)
    }
}
