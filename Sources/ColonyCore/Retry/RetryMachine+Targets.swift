/// Which node an operation asks next.
extension RetryMachine {
    /// The nodes the operation may ask: the cell's known members, then the seeds, each once.
    var candidates: [Target] {
        members + seeds.filter { !members.contains($0) }
    }

    /// The node to ask after `current`: a candidate not asked yet, else the candidate after
    /// `current` in turn.
    func nextTarget(after current: Target) -> Target {
        // Most retries find a member not asked yet: look there before building the list.
        if let fresh = members.first(where: { !tried.contains($0) }) { return fresh }
        let candidates = self.candidates
        if let fresh = candidates.first(where: { !tried.contains($0) }) { return fresh }
        guard let index = candidates.firstIndex(of: current) else { return candidates[0] }
        return candidates[(index + 1) % candidates.count]
    }
}
