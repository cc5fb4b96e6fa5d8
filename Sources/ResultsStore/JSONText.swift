import Foundation
import PlatformModel

/// Lists and small maps stored as JSON text in one column, so that the `sqlite3` shell shows
/// them as they are and `json_each`/`json_extract` can take them apart. Written by hand so the
/// text is the same byte for byte every time: keys sorted, numbers in Swift's shortest
/// round-trip form, non-finite numbers as null.
public enum TextList {
    static func encode(_ items: [String]) -> String {
        "[" + items.map(quote).joined(separator: ",") + "]"
    }

    static func decode(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    static func encode(_ numbers: [Int]) -> String {
        "[" + numbers.map(String.init).joined(separator: ",") + "]"
    }

    static func decodeIntegers(_ text: String) -> [Int] {
        (try? JSONDecoder().decode([Int].self, from: Data(text.utf8))) ?? []
    }

    static func encode(_ map: [String: Double]) -> String {
        let members = map.keys.sorted().map { key in
            let v = map[key]!
            return quote(key) + ":" + (v.isFinite ? "\(v)" : "null")
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A component's figures, keys in name order.
    static func encode(_ details: ComponentDetails) -> String {
        "{" + details.sorted.map { quote($0.metric.rawValue) + ":" + ($0.value.isFinite ? "\($0.value)" : "null") }.joined(separator: ",") + "}"
    }

    static func decodeMap(_ text: String) -> [String: Double] {
        let raw = (try? JSONDecoder().decode([String: Double?].self, from: Data(text.utf8))) ?? [:]
        return raw.mapValues { $0 ?? .nan }
    }

    /// A value as compact JSON with sorted keys (the same bytes every time; a non-finite
    /// number, which JSON cannot hold, as null).
    static func json<T: Encodable>(_ value: T) -> String {
        JSONOutput.compact(value)
    }

    /// A JSON string literal for `s` (quotes, backslashes and control characters escaped).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
