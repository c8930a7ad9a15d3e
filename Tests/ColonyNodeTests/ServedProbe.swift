import ColonyClient
import ColonyNode

/// Whether a node serves a client with given TLS files.
enum ServedProbe {
    /// Whether a client with `files` is served by the node at `address`: it lists the cells
    /// within 5 s.
    static func isServed(_ files: TLSFiles, at address: String) async -> Bool {
        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(5)
        guard let client = try? ColonyClient(
            nodes: [address], tls: .files(ca: files.ca, certificate: files.certificate, key: files.key), policy: policy)
        else { return false }
        let served = (try? await client.listCells()) != nil
        await client.close()
        return served
    }
}
