import ResultsStore
/// A JSON document written byte-for-byte the same way every time: object keys sorted,
/// numbers in Swift's shortest round-trip form, non-finite numbers as `null`.
///
/// Written here rather than with Foundation's `JSONEncoder` so that the exact bytes (and
/// the treatment of infinities, which `JSONEncoder` refuses) are under the project's control.
indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    static func number(_ x: Int) -> JSONValue { .int(Int64(x)) }

    /// The document, pretty-printed with two-space indentation and a final newline.
    func rendered() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out += "\n"
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d): out += Self.format(d)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.write(to: &out, indent: indent + 2)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            let keys = members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            for (i, key) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                Self.quote(key, into: &out)
                out += ": "
                members[key]!.write(to: &out, indent: indent + 2)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Shortest round-trip decimal form; integral values keep a `.0` so readers see a float.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return "0.0" }  // also turns -0.0 into 0.0
        return "\(d)"
    }

    static func quote(_ s: String, into out: inout String) {
        out += TextList.quote(s)
    }
}
