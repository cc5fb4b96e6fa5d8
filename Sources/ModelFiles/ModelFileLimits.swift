/// How much a model file may ask of the loader: its size, and how far YAML aliases may
/// multiply it. A YAML alias (`*name`) repeats the node its anchor (`&name`) marks, and an
/// anchored node may itself hold aliases, so a few hundred bytes can stand for billions of
/// values (the "billion laughs" file: ten anchors of ten aliases each). Without limits a
/// 414-byte file took 8 GB and kept going. Each limit is far above what a hand-written model
/// needs and far below what hurts the machine.
public enum ModelFileLimits {
    /// Largest model, overlay, pricing or experiment file read: 1 MiB. The platform's base
    /// model is about 30 kB; a file 30 times larger is not a hand-written model, and reading
    /// stops before parsing it.
    public static let maxFileBytes = 1 << 20
    /// Most values (scalars, lists and mappings) a file may hold once its aliases are expanded:
    /// 200,000. The platform's base model has about 1,600; a hundred times that still fits, in
    /// some 20 MB of model tree.
    public static let maxValues = 200_000
    /// Most alias expansions in one file (an alias inside an expanded alias counts again):
    /// 1,000. Models that share defaults through `<<: *defaults` use a few dozen.
    public static let maxAliasExpansions = 1_000
    /// Deepest nesting of aliases inside aliased nodes: 8. Shared defaults need 1 or 2; the
    /// multiplication that makes a file explode needs depth.
    public static let maxAliasDepth = 8
    /// Deepest nesting of lists and mappings: 100 (the platform's model nests 6 deep). YAML's
    /// reader and the conversion recurse once per level, and a file of `[[[[...` or `- - - -`
    /// must end in an error, not in a stack overflow. Indentation past 200 columns counts as
    /// too deep too: each level of a block needs a column more.
    public static let maxNesting = 100
}

/// Counts what a conversion from Yams' tree expands to, and stops it at the limits.
///
/// Yams' composer shares an anchored node between its aliases, so composing is linear; it is
/// the conversion into ``ModelNode``, which copies, that would expand the file. An anchored
/// node met a second time is an alias being expanded (Yams keeps the anchor object only while
/// its parser lives, so the conversion runs with the parser alive).
struct ExpansionBudget {
    let file: String
    private(set) var values = 0
    private(set) var expansions = 0
    private(set) var depth = 0
    private var seenAnchors = Set<ObjectIdentifier>()

    init(file: String) { self.file = file }

    /// Counts one value at `location`; throws past ``ModelFileLimits/maxValues``.
    mutating func countValue(at location: ModelLocation) throws {
        values += 1
        guard values <= ModelFileLimits.maxValues else {
            throw ModelError("the file holds more than \(ModelFileLimits.maxValues) values once its YAML aliases are expanded; "
                             + "a model needs far fewer (is an alias repeating a large node?)", at: location)
        }
    }

    /// Whether the node anchored by `anchor` is being expanded from an alias (it was met
    /// before); counts the expansion and enters it, throwing past the limits.
    mutating func enter(anchor: AnyObject?, at location: ModelLocation) throws -> Bool {
        guard let anchor else { return false }
        // The first meeting is the anchored node itself; later ones are aliases of it.
        if seenAnchors.insert(ObjectIdentifier(anchor)).inserted { return false }
        expansions += 1
        depth += 1
        guard expansions <= ModelFileLimits.maxAliasExpansions else {
            throw ModelError("the file expands more than \(ModelFileLimits.maxAliasExpansions) YAML aliases; "
                             + "a model needs a few dozen at most", at: location)
        }
        guard depth <= ModelFileLimits.maxAliasDepth else {
            throw ModelError("YAML aliases nest more than \(ModelFileLimits.maxAliasDepth) deep here; "
                             + "shared defaults need one or two levels", at: location)
        }
        return true
    }

    mutating func leave() { depth -= 1 }
}

/// A scan of the YAML text before Yams parses it, for what Yams itself would multiply or
/// recurse on: an alias used as a mapping key (Yams hashes every key to find duplicates, and
/// hashing an aliased list walks all of its expansion), explicit `? ` keys (the only way to make
/// a list or mapping a key), and nesting deeper than ``ModelFileLimits/maxNesting`` (Yams builds
/// its tree recursively). Model keys are names, so the first two are never needed. The scan
/// knows comments, quoted scalars and block scalars (`|`, `>`), so text inside them is not
/// mistaken for any of these.
enum YAMLKeyScan {
    static func check(_ text: String, file: String) throws {
        var quote: Character?
        var flowDepth = 0
        var blockIndent: Int?  // inside a block scalar: the indent of the line that opened it
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Array(rawLine)
            let indent = line.prefix { $0 == " " }.count
            let blank = line.allSatisfy { $0 == " " || $0 == "\r" || $0 == "\t" }
            if let opener = blockIndent {
                if blank || indent > opener { continue }
                blockIndent = nil
            }
            if !blank && quote == nil {
                var dashes = 0
                var j = indent
                while j + 1 < line.count, line[j] == "-", line[j + 1] == " " {
                    dashes += 1
                    j += 2
                    while j < line.count, line[j] == " " { j += 1 }
                }
                if indent > 2 * ModelFileLimits.maxNesting || dashes > ModelFileLimits.maxNesting {
                    throw tooDeep(file, lineNumber, indent + 1)
                }
            }
            var i = 0
            var previous: Character = " "
            while i < line.count {
                let c = line[i]
                if let q = quote {
                    if q == "\"" && c == "\\" { i += 2; continue }
                    if c == q {
                        if q == "'" && i + 1 < line.count && line[i + 1] == "'" { i += 2; continue }
                        quote = nil
                    }
                    previous = c
                    i += 1
                    continue
                }
                let atTokenStart = previous == " " || previous == "\t" || previous == "[" || previous == "{" || previous == ","
                if c == "#" && (previous == " " || previous == "\t" || i == 0) { break }
                if (c == "\"" || c == "'") && atTokenStart {
                    quote = c
                } else if c == "[" || c == "{" {
                    flowDepth += 1
                    if flowDepth > ModelFileLimits.maxNesting { throw tooDeep(file, lineNumber, i + 1) }
                } else if c == "]" || c == "}" {
                    flowDepth = Swift.max(0, flowDepth - 1)
                } else if c == "?" && atTokenStart && (i + 1 == line.count || line[i + 1] == " ") {
                    throw ModelError("explicit '? ' keys are not used in model files: a key is a name",
                                     at: ModelLocation(file: file, line: lineNumber, column: i + 1))
                } else if c == "*" && atTokenStart {
                    var j = i + 1
                    while j < line.count, !" \t,[]{}\r".contains(line[j]) { j += 1 }
                    var k = j
                    while k < line.count, line[k] == " " || line[k] == "\t" { k += 1 }
                    if j > i + 1, k < line.count, line[k] == ":",
                       k + 1 == line.count || " \t,[]{}\r".contains(line[k + 1]) {
                        throw ModelError("a YAML alias cannot be a key: a key is a name",
                                         at: ModelLocation(file: file, line: lineNumber, column: i + 1))
                    }
                    i = j
                    previous = "x"
                    continue
                }
                previous = c
                i += 1
            }
            // A block scalar starts after `key: |`, `- >-`, `key: |2` ...: its lines are text.
            if quote == nil {
                let content = String(rawLine).split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                if let indicator = tokens.last, let first = indicator.first, first == "|" || first == ">",
                   indicator.dropFirst().allSatisfy({ "+-0123456789".contains($0) }),
                   tokens.count == 1 || tokens[tokens.count - 2].hasSuffix(":") || tokens[tokens.count - 2] == "-" {
                    blockIndent = indent
                }
            }
        }
    }

    private static func tooDeep(_ file: String, _ line: Int, _ column: Int) -> ModelError {
        ModelError("lists and mappings nest more than \(ModelFileLimits.maxNesting) deep here; a model nests a few levels",
                   at: ModelLocation(file: file, line: line, column: column))
    }
}
