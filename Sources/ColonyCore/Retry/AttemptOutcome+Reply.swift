extension AttemptOutcome {
    /// How an attempt ended that its cell answered with `outcome`; `target` names a node of
    /// the cell as the shell names its targets (a node id, an address).
    public init(_ outcome: ClientOutcome, target: (NodeID) -> Target) {
        switch outcome {
        case .completed(.success): self = .succeeded
        case .completed(.failure), .rejected: self = .failed
        case .redirect(let leader, let configuration):
            self = .redirect(leader: leader.map(target), members: configuration?.members.map(target))
        case .staleEpoch(let configuration): self = .staleEpoch(members: configuration.members.map(target))
        case .unavailable: self = .unavailable
        case .sessionExpired: self = .sessionExpired
        }
    }
}
