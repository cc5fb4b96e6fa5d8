import Foundation

/// The program's one JSON writer, for every command's JSON output and the JSON kept in the
/// database: Foundation's `JSONEncoder` with sorted keys (the same bytes every time, whatever
/// the dictionary order), slashes unescaped, and non-finite numbers, which JSON cannot hold,
/// written as `null` everywhere (a utilization of an idle station, an unstable queue's wait).
public enum JSONOutput {
    /// Pretty-printed (two-space indentation) with a final newline: documents for people and programs.
    public static func document<T: Encodable>(_ value: T) throws -> String {
        try encode(value, pretty: true) + "\n"
    }

    /// On one line: JSON kept in a database column.
    public static func compact<T: Encodable>(_ value: T) -> String {
        // Encoding the program's own Codable values cannot fail once non-finite numbers are handled.
        (try? encode(value, pretty: false)) ?? "null"
    }

    static func encode<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker + "+inf", negativeInfinity: marker + "-inf", nan: marker + "nan")
        var text = String(decoding: try encoder.encode(value), as: UTF8.self)
        for token in ["+inf", "-inf", "nan"] {
            text = text.replacingOccurrences(of: "\"\\u0001\(token)\"", with: "null")
        }
        return text
    }

    /// A control character no real string in the output holds, marking the placeholders.
    static let marker = "\u{1}"
}
