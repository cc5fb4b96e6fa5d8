/// "Did you mean ...?" for misspelled keys and enumeration values.
enum KeySuggestion {
    /// The candidate closest to `word` by edit distance (ignoring case), if it is close enough to
    /// be a plausible typo: 1 edit for words of up to 3 letters, else at most 2 edits or a third of
    /// the word's length, whichever is more.
    /// Ties go to the earlier candidate, so the answer is deterministic.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased())
        let limit = target.count <= 3 ? 1 : max(2, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(target, Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance (insertions, deletions, substitutions), one row at a time.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Every key path of a model tree by its leaf name, for suggesting the full path of a key
/// written without its sections or in another spelling (`connection_limit` for
/// `database.pool.connectionLimit`, as Prisma's URL parameter is spelt).
struct KeyIndex: Sendable {
    /// (path segments, leaf name normalised) for every key of every mapping.
    private let keys: [(path: [String], normalized: String)]

    init(_ root: ModelNode) {
        var keys: [(path: [String], normalized: String)] = []
        func walk(_ node: ModelNode, _ path: [String]) {
            guard let entries = node.entries else { return }
            for entry in entries {
                let keyPath = path + [entry.key]
                keys.append((keyPath, Self.normalize(entry.key)))
                walk(entry.value, keyPath)
            }
        }
        walk(root, [])
        self.keys = keys
    }

    /// Letters and digits only, lowercased: `connection_limit`, `connectionLimit` and
    /// `Connection-Limit` are the same name.
    static func normalize(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// Dotted paths of keys named like `name` (the same letters, or a plausible typo of them),
    /// those under `prefix` first, in file order; exact spellings before typos.
    func paths(withLeafLike name: String, under prefix: [String]) -> [String] {
        let target = Self.normalize(name)
        guard !target.isEmpty else { return [] }
        let limit = target.count <= 3 ? 0 : Swift.max(1, target.count / 5)
        var exact: [[String]] = [], near: [[String]] = []
        for key in keys {
            if key.normalized == target { exact.append(key.path); continue }
            if limit > 0, abs(key.normalized.count - target.count) <= limit,
               KeySuggestion.editDistance(Array(target), Array(key.normalized)) <= limit {
                near.append(key.path)
            }
        }
        let found = exact.isEmpty ? near : exact
        let inside = found.filter { $0.count > prefix.count && Array($0.prefix(prefix.count)) == prefix }
        let ordered = inside + found.filter { !($0.count > prefix.count && Array($0.prefix(prefix.count)) == prefix) }
        return ordered.map { $0.joined(separator: ".") }
    }
}
