import ColonyCore

extension NodeConfig {
    /// The longest colony name, in bytes.
    public static let colonyNameBytesMax = 64

    /// Checks that the configuration can run: a colony name, a node that is listed, unique
    /// node ids and addresses, addresses that parse, a key file named if the field is there,
    /// quotas within the ceiling, a tracing endpoint and listen addresses that parse, and TLS files (or an explicit `"plaintext": true`). Each
    /// problem names its field.
    public func validate() throws(NodeConfigProblem) {
        try validateSecurity()
        guard !colony.isEmpty, colony.utf8.count <= Self.colonyNameBytesMax else {
            throw NodeConfigProblem("\"colony\" must be a name of 1 to \(Self.colonyNameBytesMax) bytes, not \(colony.utf8.count)")
        }
        guard !dataDirectory.isEmpty else { throw NodeConfigProblem("\"dataDirectory\" is empty; name the folder of this node's data") }
        guard node != 0 else { throw NodeConfigProblem("\"node\" is 0; node ids run from 1 to \(UInt32.max)") }
        if let keyFile, keyFile.isEmpty {
            throw NodeConfigProblem("\"keyFile\" is empty; name the key file, or remove the field to store data unencrypted")
        }
        try validateNodes()
        guard nodes.contains(where: { $0.node == node }) else {
            throw NodeConfigProblem("this node (\(node)) is not listed in \"nodes\"; list this node and the colony's nodes (or some of them, for a node that joins)")
        }
        if let quota = cellQuotaMax {
            let ceiling = CellQuota(CellLimits.ceiling)
            for (name, value, most) in [
                ("keysMax", quota.keysMax, ceiling.keysMax), ("bytesMax", quota.bytesMax, ceiling.bytesMax),
                ("valueBytesMax", quota.valueBytesMax, ceiling.valueBytesMax),
            ] where value < 1 || value > most {
                throw NodeConfigProblem("\"cellQuotaMax.\(name)\" must be from 1 to \(most), not \(value)")
            }
        }
        try tracing?.validate()
        try validateListen()
    }

    private func validateSecurity() throws(NodeConfigProblem) {
        switch (tls, plaintext ?? false) {
        case (nil, false):
            throw NodeConfigProblem("""
                there is no "tls" section, and TLS is required. Make certificates with `colony certs init --dir DIR` \
                and `colony certs node \(node) --dir DIR`, then add "tls": {"ca": "DIR/ca.pem", "certificate": \
                "DIR/node-\(node).pem", "key": "DIR/node-\(node).key"}; or set "plaintext": true (for tests only)
                """)
        case (.some, true):
            throw NodeConfigProblem("both \"tls\" and \"plaintext\": true are set; remove one (plaintext is for tests only)")
        case (.some(let files), false):
            for (field, path) in [("ca", files.ca), ("certificate", files.certificate), ("key", files.key)] where path.isEmpty {
                throw NodeConfigProblem("\"tls.\(field)\" is empty; name a PEM file")
            }
        case (nil, true):
            break
        }
        if adminTLS == true, tls == nil {
            throw NodeConfigProblem("\"adminTLS\": true needs a \"tls\" section: the admin endpoint serves TLS with the node's certificate")
        }
    }

    /// Checks every entry of `nodes`: ids from 1, listed once, domain names, and addresses
    /// that parse and that no two listeners share.
    private func validateNodes() throws(NodeConfigProblem) {
        var seen: Set<UInt32> = []
        var listeners: [String: String] = [:]
        for (index, entry) in nodes.enumerated() {
            let place = "nodes[\(index)]"
            guard entry.node != 0 else { throw NodeConfigProblem("\"\(place).node\" is 0; node ids run from 1 to \(UInt32.max)") }
            guard seen.insert(entry.node).inserted else {
                throw NodeConfigProblem("node \(entry.node) is listed twice in \"nodes\" (again at \(place))")
            }
            for (kind, name) in [("zone", entry.zone), ("rack", entry.rack), ("color", entry.color)] {
                if let name, let problem = NodeAddress.domainNameProblem(name) {
                    throw NodeConfigProblem("\"\(place).\(kind)\" \(problem)")
                }
            }
            let addresses = [("peerAddress", entry.peerAddress), ("clientAddress", entry.clientAddress)]
                + (entry.adminAddress.map { [("adminAddress", $0)] } ?? [])
            for (field, address) in addresses {
                guard HostPort(address) != nil else {
                    throw NodeConfigProblem("\"\(place).\(field)\" is \"\(address)\", not an address; write HOST:PORT with a port from 1 to 65535")
                }
                if let earlier = listeners.updateValue("\(place).\(field)", forKey: address) {
                    throw NodeConfigProblem("\"\(place).\(field)\" and \"\(earlier)\" are both \(address); every listener needs an address of its own")
                }
            }
        }
    }
}
