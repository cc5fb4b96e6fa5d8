extension AssumptionIndex {
    /// An open mapping (a key whose value is on the following lines) or list item.
    private struct Container {
        var indent: Int
        var path: String
        /// The label it gives its children and the comment that says so (nil: none).
        var label: Label?
        var comment: String
        var isItem: Bool
        var items = 0
    }

    /// The parameters of one YAML file in the model files' style: block mappings, block lists,
    /// flow collections (possibly over several lines), `#` comments. Not a general YAML reader:
    /// anchors, multi-line strings and quoted keys are not in the model files.
    static func parse(_ text: String, file: String) -> [Parameter] {
        var result: [Parameter] = []
        var stack: [Container] = []
        var pending: [String] = []
        // A flow collection still open: where it started, and what it has so far.
        var open: (path: String, value: String, comment: String, depth: Int, line: Int)?

        func parentPath() -> String { stack.last?.path ?? "" }
        func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "." + b }

        func emit(path: String, value: String, comment: String, line: Int) {
            if let own = classify(comment) {
                result.append(Parameter(path: path, value: value, comment: comment, label: own, inherited: false, file: file, line: line))
            } else if let c = stack.last, let label = c.label {
                result.append(Parameter(path: path, value: value, comment: c.comment, label: label, inherited: true, file: file, line: line))
            } else {
                result.append(Parameter(path: path, value: value, comment: comment, label: .unlabelled, inherited: false, file: file, line: line))
            }
        }

        func push(indent: Int, path: String, comment: String, isItem: Bool) {
            var c = Container(indent: indent, path: path, label: classify(comment), comment: comment, isItem: isItem)
            if c.label == nil, let parent = stack.last, let label = parent.label {
                c.label = label
                c.comment = parent.comment
            }
            stack.append(c)
        }

        /// A `key: value` pair at `indent` inside the current container.
        func keyValue(_ content: String, comment: String, indent: Int, line: Int) {
            guard let (key, rest) = splitKey(content) else { return }
            let path = join(parentPath(), key)
            if rest.isEmpty {
                push(indent: indent, path: path, comment: comment, isItem: false)
            } else if let depth = bracketDepth(rest), depth > 0 {
                open = (path, rest, comment, depth, line)
            } else {
                emit(path: path, value: rest, comment: comment, line: line)
            }
        }

        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = n + 1
            let (content, trailing) = splitComment(String(raw))
            if var o = open {
                let more = content.trimmingSpaces()
                o.value += (o.value.hasSuffix(" ") ? "" : " ") + more
                o.depth += bracketDepth(more) ?? 0
                if !trailing.isEmpty { o.comment += (o.comment.isEmpty ? "" : " ") + trailing }
                if o.depth <= 0 {
                    emit(path: o.path, value: o.value, comment: o.comment, line: o.line)
                    open = nil
                } else {
                    open = o
                }
                continue
            }
            let trimmed = content.trimmingSpaces()
            if trimmed.isEmpty {
                if trailing.isEmpty { pending = [] } else { pending.append(trailing) }
                continue
            }
            if trimmed == "---" { continue }
            let indent = content.prefix { $0 == " " }.count
            let comment = (pending + (trailing.isEmpty ? [] : [trailing])).joined(separator: " ")
            pending = []

            if trimmed == "-" || trimmed.hasPrefix("- ") {
                while let top = stack.last, top.indent > indent || (top.indent == indent && top.isItem) { stack.removeLast() }
                let index = stack.isEmpty ? 0 : stack[stack.count - 1].items
                if !stack.isEmpty { stack[stack.count - 1].items += 1 }
                let itemPath = parentPath() + "[\(index)]"
                let rest = String(trimmed.dropFirst()).trimmingSpaces()
                // The item holds the keys indented past its dash; the first may share the dash's line.
                if splitKey(rest) != nil, !rest.hasPrefix("{"), !rest.hasPrefix("["), !rest.hasPrefix("\""), !rest.hasPrefix("'") {
                    push(indent: indent + 1, path: itemPath, comment: "", isItem: true)
                    keyValue(rest, comment: comment, indent: indent + 2, line: line)
                } else if rest.isEmpty {
                    push(indent: indent + 1, path: itemPath, comment: comment, isItem: true)
                } else if let depth = bracketDepth(rest), depth > 0 {
                    open = (itemPath, rest, comment, depth, line)
                } else {
                    emit(path: itemPath, value: rest, comment: comment, line: line)
                }
                continue
            }
            while let top = stack.last, top.indent >= indent { stack.removeLast() }
            keyValue(trimmed, comment: comment, indent: indent, line: line)
        }
        return result
    }

    /// `key: rest` (rest may be empty); nil when the text is not a key.
    static func splitKey(_ s: String) -> (String, String)? {
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == ":" {
                let next = s.index(after: i)
                if next == s.endIndex || s[next] == " " {
                    let key = String(s[..<i])
                    guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else { return nil }
                    return (key, String(s[next...]).trimmingSpaces())
                }
            }
            if c == " " || c == "{" || c == "[" || c == "\"" || c == "'" { return nil }
            i = s.index(after: i)
        }
        return nil
    }

    /// The text before a `#` comment (one at the start or after a space, outside quotes) and the comment's text.
    static func splitComment(_ line: String) -> (String, String) {
        var quote: Character?
        var previous: Character = " "
        for i in line.indices {
            let c = line[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && (previous == " " || previous == "\t") {
                let text = String(line[line.index(after: i)...]).trimmingSpaces()
                return (String(line[..<i]), text)
            }
            previous = c
        }
        return (line, "")
    }

    /// Opening minus closing brackets in a value (nil when it is not a flow collection start).
    static func bracketDepth(_ s: String) -> Int? {
        var depth = 0
        var quote: Character?
        for c in s {
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "\"", "'": quote = c
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            default: break
            }
        }
        return depth
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
