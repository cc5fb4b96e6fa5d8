import Foundation

/// A model tree written back as YAML, each value followed by a comment saying where it was
/// set (`# Models/phases/phase1.yaml:18`), for `platform-sim model show`: what a configuration
/// is once its overlays and overrides are merged, and which file to edit to change a value.
extension ModelNode {
    /// Block-style YAML of this mapping. `origin` gives the comment for a value (nil: none).
    /// Lists of scalars are written on one line; lists holding mappings one item per line.
    public func yaml(origin: (ModelLocation) -> String? = { $0.description }) -> String {
        var out = ""
        Self.write(self, indent: 0, into: &out, origin: origin)
        return out
    }

    private static func write(_ node: ModelNode, indent: Int, into out: inout String, origin: (ModelLocation) -> String?) {
        let pad = String(repeating: " ", count: indent)
        guard let entries = node.entries else { return }
        for entry in entries {
            let key = Self.key(entry.key)
            switch entry.value.content {
            case .mapping(let inner) where !inner.isEmpty:
                out += pad + key + ":\n"
                write(entry.value, indent: indent + 2, into: &out, origin: origin)
            case .list(let items) where items.contains(where: { $0.entries != nil || $0.isList }):
                out += pad + key + ":" + comment(entry.value, origin) + "\n"
                for item in items { writeItem(item, indent: indent + 2, into: &out, origin: origin) }
            default:
                out += pad + key + ": " + inline(entry.value) + comment(entry.value, origin) + "\n"
            }
        }
    }

    private static func writeItem(_ item: ModelNode, indent: Int, into out: inout String, origin: (ModelLocation) -> String?) {
        let pad = String(repeating: " ", count: indent)
        if let entries = item.entries, !entries.isEmpty, entries.allSatisfy({ !$0.value.isList && $0.value.entries == nil }) {
            // `- {cpuMs: lognormal:0.5,0.5}`: a step or a ladder size on one line.
            out += pad + "- " + inline(item) + comment(item, origin) + "\n"
        } else if item.entries != nil {
            out += pad + "-\n"
            write(item, indent: indent + 2, into: &out, origin: origin)
        } else {
            out += pad + "- " + inline(item) + comment(item, origin) + "\n"
        }
    }

    /// A value on one line: a scalar, or a flow list or mapping.
    private static func inline(_ node: ModelNode) -> String {
        switch node.content {
        case .scalar(let text, let plain):
            if plain && node.isNull { return "~" }
            return scalar(text, plain: plain, inFlow: false)
        case .list(let items):
            return "[" + items.map { inlineInFlow($0) }.joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { key($0.key) + ": " + inlineInFlow($0.value) }.joined(separator: ", ") + "}"
        }
    }

    private static func inlineInFlow(_ node: ModelNode) -> String {
        if case .scalar(let text, let plain) = node.content {
            return plain && node.isNull ? "~" : scalar(text, plain: plain, inFlow: true)
        }
        return inline(node)
    }

    private static func comment(_ node: ModelNode, _ origin: (ModelLocation) -> String?) -> String {
        origin(node.location).map { "   # " + $0 } ?? ""
    }

    private var isList: Bool {
        if case .list = content { return true }
        return false
    }

    private static func key(_ name: String) -> String {
        isPlainSafe(name, inFlow: true) ? name : quoted(name)
    }

    /// A scalar as written when that reads back the same (plain stays plain, so `4` stays a
    /// number and `"4"` a string), else double-quoted.
    private static func scalar(_ text: String, plain: Bool, inFlow: Bool) -> String {
        plain && isPlainSafe(text, inFlow: inFlow) ? text : quoted(text)
    }

    private static func isPlainSafe(_ text: String, inFlow: Bool) -> Bool {
        guard let first = text.first, !text.hasSuffix(" "), !text.hasPrefix(" ") else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == "-" && text.count > 1 && text.dropFirst().first?.isNumber == true) {
            return false
        }
        if text.contains(": ") || text.contains(" #") || text.contains(where: \.isNewline) { return false }
        if inFlow && text.contains(where: { ",[]{}".contains($0) }) { return false }
        return true
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension ModelDocument {
    /// The comment that documents the key written at `location`: the `# ...` at the end of its
    /// line, or else the comment lines right above it; nil when there is none or the location
    /// is not in a file read (an override). Comments are where the model files give each
    /// number's source or say `assumption`; the YAML parser drops them, so they are read from
    /// the text here.
    public func comment(at location: ModelLocation) -> String? {
        guard location.line > 0, let text = texts[location.file] else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line <= lines.count else { return nil }
        if let trailing = Self.trailingComment(String(lines[location.line - 1])), !trailing.isEmpty { return trailing }
        var above: [String] = []
        var index = location.line - 2
        while index >= 0 {
            let line = lines[index].drop { $0 == " " }
            guard line.hasPrefix("#") else { break }
            above.insert(String(line.dropFirst()).trimmingCharacters(in: .whitespaces), at: 0)
            index -= 1
        }
        return above.isEmpty ? nil : above.joined(separator: " ")
    }

    /// The text after a `#` that starts a comment (at the start of the line or after a space,
    /// outside quotes).
    static func trailingComment(_ line: String) -> String? {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let c = line[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if (c == "\"" || c == "'") && (previous == " " || previous == "[" || previous == "{" || previous == ",") {
                quote = c
            } else if c == "#" && (previous == " " || previous == "\t") {
                return String(line[line.index(after: index)...]).trimmingCharacters(in: .whitespaces)
            }
            previous = c
        }
        return nil
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
