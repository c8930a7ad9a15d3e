extension Partition.Model {
    /// Prunes the operations and searches them for a linearization under this model; also
    /// returns the operations searched, which a dead end's positions refer to. A search for
    /// an explanation skips early dead-end detection, so that its dead end is the natural one.
    func search(
        _ operations: [RecordedOperation], budget: Int, forExplanation: Bool = false
    ) -> (result: SearchResult, searched: [RecordedOperation]) {
        let searched = OperationPruning.prune(operations)
        let problem = SearchProblem(searched)
        switch self {
        case .register:
            var search = LinearizabilitySearch<RegisterState>(problem, detectsDeadEnds: !forExplanation)
            return (search.run(budget: budget), searched)
        case .map:
            var search = LinearizabilitySearch<MapState>(problem, detectsDeadEnds: !forExplanation)
            return (search.run(budget: budget), searched)
        }
    }
}
