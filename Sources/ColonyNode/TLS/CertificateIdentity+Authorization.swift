import ColonyAuth

extension CertificateIdentity {
    /// The identity authorization knows this certificate's holder by.
    public var authorization: Identity {
        switch self {
        case .node(let node): return .node(node.rawValue)
        case .client(let name): return .client(name)
        }
    }
}
