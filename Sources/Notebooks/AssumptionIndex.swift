import Foundation

/// Every parameter of the model files with the comment that justifies it, read line by line
/// from the YAML text (the YAML parser drops comments): its key path, its value as written,
/// its comment and whether that comment gives a source or says `assumption`.
///
/// The model files' convention (the header of `Models/platform.yaml`): every number carries a
/// comment with its source, or the word `assumption` when there is none. A parameter is
/// - **measured** when its comment starts `measured:` (a value `platform-sim calibrate` wrote
///   from the platform's own telemetry, with its source, samples and interval);
/// - **assumption** when its comment (on its line, or the comment lines right above it)
///   contains the word `assumption`;
/// - **sourced** when its comment names a source: a section of the seed (`§N`), a measurement
///   (`MODEL §N`), documentation, a vendor default, a dated publication;
/// - otherwise it takes the label of the nearest enclosing key that has one (`tiers:  #
///   share of users per tier: assumption` labels each tier's share), or stays **unlabelled**
///   (structure such as names and step lists, or a comment that only describes).
public struct AssumptionIndex: Sendable {
    public enum Label: String, Sendable, Comparable {
        case sourced, assumption, unlabelled, measured
        public static func < (a: Label, b: Label) -> Bool { a.order < b.order }
        var order: Int {
            switch self {
            case .assumption: 0
            case .measured: 1
            case .sourced: 2
            case .unlabelled: 3
            }
        }
    }

    /// One `key: value` line (or list item) of a file.
    public struct Parameter: Sendable, Equatable {
        /// Dotted path, list items as `[i]`: `rateLimiters.global.limit`, `database.postgres.ladder[0]`.
        public var path: String
        /// The value as written (flow collections on one line).
        public var value: String
        /// The comment that labels it (its own, or the enclosing key's when inherited).
        public var comment: String
        public var label: Label
        /// Whether the label comes from an enclosing key rather than the parameter's own comment.
        public var inherited: Bool
        public var file: String
        public var line: Int

        /// Whether the value is or holds a number (`100`, `lognormal:0.4,0.5`, `[0.35, 0.3]`,
        /// `{name: pg-2, vcpu: 2}`), as opposed to a name, a flag or a list of names.
        public var isNumber: Bool {
            let separators: Set<Character> = ["[", "]", "{", "}", ",", " ", ":"]
            let words = value.split(whereSeparator: { separators.contains($0) })
            return words.contains { Double($0) != nil || Double($0.replacingOccurrences(of: "_", with: "")) != nil }
        }
    }

    /// Parameters in file order; a later file's entry for the same path replaces the earlier one
    /// (overlays as they merge).
    public private(set) var parameters: [Parameter] = []
    /// Parameters per file, in file order, as read (before merging).
    public private(set) var byFile: [(file: String, parameters: [Parameter])] = []

    public init() {}

    /// Reads `files` in order (base first, then overlays), naming each by `displayName`.
    public init(files: [(path: String, displayName: String)]) throws {
        for f in files {
            let text = try String(contentsOfFile: f.path, encoding: .utf8)
            add(text: text, file: f.displayName)
        }
    }

    /// Adds one file's parameters; entries replace earlier ones with the same path.
    public mutating func add(text: String, file: String) {
        // `calibration:` holds the route table and the measurements' intervals and draws: facts
        // about other parameters, not parameters.
        let read = Self.parse(text, file: file).filter { !$0.path.hasPrefix("calibration.") && $0.path != "calibration" }
        byFile.append((file, read))
        var position: [String: Int] = [:]
        for (i, p) in parameters.enumerated() { position[p.path] = i }
        for p in read {
            if let i = position[p.path] {
                // An overlay line without a label keeps the earlier line's justification.
                if p.label == .unlabelled {
                    parameters[i].value = p.value
                    parameters[i].file = p.file
                    parameters[i].line = p.line
                    continue
                }
                parameters[i] = p
            } else {
                position[p.path] = parameters.count
                parameters.append(p)
            }
        }
    }

    public func parameter(_ path: String) -> Parameter? { parameters.first { $0.path == path } }

    /// Counts per label, of numbers only or of every parameter.
    public func counts(numbersOnly: Bool = true) -> (sourced: Int, assumption: Int, unlabelled: Int, measured: Int) {
        Self.counts(parameters, numbersOnly: numbersOnly)
    }

    public static func counts(_ list: [Parameter], numbersOnly: Bool = true) -> (sourced: Int, assumption: Int, unlabelled: Int, measured: Int) {
        var s = 0, a = 0, u = 0, m = 0
        for p in list where !numbersOnly || p.isNumber {
            switch p.label {
            case .sourced: s += 1
            case .assumption: a += 1
            case .unlabelled: u += 1
            case .measured: m += 1
            }
        }
        return (s, a, u, m)
    }

    // MARK: Classification

    /// The label a comment gives by itself (nil: it only describes, or there is none).
    public static func classify(_ comment: String) -> Label? {
        let c = comment.lowercased()
        if c.isEmpty { return nil }
        if c.hasPrefix("measured:") { return .measured }
        if c.contains("assumption") { return .assumption }
        let markers = ["§", "docs", "doc/", "faq", "staff", "(same)"]
        if markers.contains(where: { c.contains($0) }) { return .sourced }
        // A vendor default ("Postgres default max_connections"), not a placeholder ("default N").
        if c.contains("default"), !comment.contains("default N") { return .sourced }
        if containsYear(c) { return .sourced }
        return nil
    }

    static func containsYear(_ s: String) -> Bool {
        let d = Array(s.unicodeScalars)
        guard d.count >= 4 else { return false }
        for i in 0...(d.count - 4) {
            let four = d[i..<(i + 4)]
            guard four.allSatisfy({ $0.properties.numericType != nil && $0.isASCII }) else { continue }
            let before = i > 0 ? d[i - 1] : " ", after = i + 4 < d.count ? d[i + 4] : " "
            if before.properties.numericType != nil || after.properties.numericType != nil { continue }
            let n = Int(String(String.UnicodeScalarView(four))) ?? 0
            if (1990...2039).contains(n) { return true }
        }
        return false
    }
}
