/// The known key a misspelt one most likely meant, by edit distance.
enum NearestKey {
    /// The key of `known` nearest to `key` (fewest single-letter insertions, deletions and
    /// substitutions, letter case ignored), if it is near enough to be a misspelling: at
    /// most 2 edits, or a third of the key's length for longer keys. Ties go to the first.
    static func nearest(to key: String, among known: [String]) -> String? {
        let typed = Array(key.lowercased().unicodeScalars)
        let tolerance = max(2, typed.count / 3)
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(typed, Array(candidate.lowercased().unicodeScalars))
            if distance <= tolerance, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.key
    }

    /// Levenshtein distance between `first` and `second`, one row at a time.
    static func editDistance(_ first: [Unicode.Scalar], _ second: [Unicode.Scalar]) -> Int {
        guard !first.isEmpty else { return second.count }
        guard !second.isEmpty else { return first.count }
        var previous = Array(0...second.count)
        var current = [Int](repeating: 0, count: second.count + 1)
        for (row, letter) in first.enumerated() {
            current[0] = row + 1
            for (column, other) in second.enumerated() {
                let substitution = previous[column] + (letter == other ? 0 : 1)
                current[column + 1] = min(substitution, previous[column + 1] + 1, current[column] + 1)
            }
            swap(&previous, &current)
        }
        return previous[second.count]
    }
}
