/// "Did you mean" support for diagnostics about names (recipe keys, choices, variable names).
public enum Suggestions {
    /// The allowed word closest to `word` when it is close enough to be a likely typo: at most
    /// `max(2, word.count / 3)` edits (case-insensitive), else `nil`.
    public static func closest(to word: String, among allowed: [String], maxEdits: Int? = nil) -> String? {
        let limit = maxEdits ?? max(2, word.count / 3)
        let scored = allowed.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= limit ? best.0 : nil
    }

    /// The Levenshtein distance between two strings (insertions, deletions, substitutions).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
