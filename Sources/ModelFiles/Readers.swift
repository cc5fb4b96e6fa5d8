import Foundation

// MARK: - Validation entry point

extension ModelDocument {
    /// Reads the merged model with a schema reader and returns what it builds, or throws every
    /// problem found, one ``ModelError`` per line, sorted by source, line and column.
    ///
    /// A bad scalar (a number, whole number, flag or enumeration that is missing, of the wrong
    /// type or out of range) is recorded and reading goes on with a stand-in value, so one pass
    /// reports every bad value, each at its own line. Errors about structure (a missing mapping
    /// or list, a name that does not parse) throw; to report several of those, wrap independent
    /// parts in ``ObjectReader/collect(_:)``: an error there is recorded and the part yields nil,
    /// reading goes on, and `validate` throws everything at the end. A reader that has collected
    /// errors may return nil itself. A check across keys that fails only because of a stand-in
    /// (an error at a value already reported) is dropped: one error per value.
    ///
    /// Unknown keys need no call: when the reader is done, every key of every mapping it opened
    /// as an ``ObjectReader`` that it never asked for is an error (`unknown key 'timeoutMz' in
    /// api (did you mean 'timeoutMs'? known keys: ...)`). A mapping the reader never opened is
    /// itself an unknown key of its parent. This check runs only when no error stopped the
    /// reading part way (a thrown one): then keys not yet asked for prove nothing. A misspelt
    /// *required* key is reported once, at the misspelling, as "missing required key" naming it.
    public func validate<T>(_ read: (ObjectReader) throws -> T?) throws(ModelErrors) -> T {
        let context = ReadContext()
        let reader = ObjectReader(path: "", location: root.location, entries: root.entries ?? [], context: context)
        var result: T?
        do {
            result = try read(reader)
        } catch {
            context.record(error, interrupting: true)
        }
        if !context.interrupted { context.errors += context.unknownKeyErrors() }
        if !context.errors.isEmpty { throw ModelErrors(context.errors).sorted(sourceOrder: sources) }
        guard let result else {
            throw ModelErrors([ModelError("the model reader returned no value but reported no error", at: nil)])
        }
        return result
    }
}

extension ModelDocument {
    /// What each value accepts, in words, by key path (`api.instance.vcpu`: `a number, more than
    /// 0, at most 1024 (...)`), as the schema reader `read` asks for it: the reader is run, its
    /// errors ignored. List items appear as `path[0]`.
    public func acceptedValues<T>(_ read: (ObjectReader) throws -> T?) -> [String: String] {
        let context = ReadContext()
        let reader = ObjectReader(path: "", location: root.location, entries: root.entries ?? [], context: context)
        _ = try? read(reader)
        return context.accepted
    }
}

// MARK: - Constraints

/// A range check on a number, applied by ``ValueReader/double(_:)`` and ``ValueReader/int(_:)``.
/// Violations read `api.instance.vcpu must be positive, got -2`, quoting the value as written.
///
/// Every number of a model has an upper bound as well as a lower one: a value the checks accept
/// must be one the simulation can run, and the bound is the place to say what a real platform
/// could reach. ``atMost(_:because:)`` adds one with its reason, which the error quotes:
/// `api.instance.vcpu must be at most 1024 (no cloud instance has more than 448 vCPU), got 1e16`.
public indirect enum Constraint: Sendable, Hashable {
    case any
    /// Greater than zero.
    case positive
    /// Zero or more.
    case nonNegative
    /// Between 0 and 1, both included.
    case probability
    /// Within the closed range (`.range(1...64)`; use `.infinity` for an open end).
    case range(ClosedRange<Double>)
    /// The base constraint, and at most `maximum` for the reason given.
    case capped(Constraint, maximum: Double, reason: String)

    /// This constraint and at most `maximum`; `reason` says why a real platform never needs more,
    /// and the error quotes it.
    public func atMost(_ maximum: Double, because reason: String) -> Constraint {
        .capped(self, maximum: maximum, reason: reason)
    }

    /// What is wrong with `value`, or nil when it satisfies the constraint.
    func violation(_ value: Double) -> String? {
        switch self {
        case .any: nil
        case .positive: value > 0 ? nil : "must be positive"
        case .nonNegative: value >= 0 ? nil : "must be zero or positive"
        case .probability: (0...1).contains(value) ? nil : "must be a probability between 0 and 1"
        case .range(let range):
            range.contains(value) ? nil : "must be between \(formatNumber(range.lowerBound)) and \(formatNumber(range.upperBound))"
        case .capped(let base, let maximum, let reason):
            value > maximum ? "must be at most \(formatNumber(maximum)) (\(reason))" : base.violation(value)
        }
    }

    /// What the constraint accepts, for `model keys`: `more than 0, at most 1024 (why)`.
    public var summary: String {
        switch self {
        case .any: "any number"
        case .positive: "more than 0"
        case .nonNegative: "0 or more"
        case .probability: "0 to 1"
        case .range(let r): "\(formatNumber(r.lowerBound)) to \(formatNumber(r.upperBound))"
        case .capped(let base, let maximum, let reason):
            if case .range(let r) = base, r.upperBound <= maximum {
                "\(formatNumber(r.lowerBound)) to \(formatNumber(r.upperBound)) (\(reason))"
            } else {
                "\(base.summary), at most \(formatNumber(maximum)) (\(reason))"
            }
        }
    }

    /// A value that satisfies the constraint, as near `value` as it can be (nil: the value could
    /// not be read at all). The reader goes on with it after recording an error, so that one
    /// pass reports every bad value rather than the first; the model built is never used.
    func standIn(near value: Double?) -> Double {
        switch self {
        case .any: return value ?? 0
        case .positive: return value.map { $0 > 0 ? $0 : 1 } ?? 1
        case .nonNegative: return value.map { Swift.max(0, $0) } ?? 0
        case .probability: return value.map { Swift.min(1, Swift.max(0, $0)) } ?? 0
        case .range(let range): return Swift.min(range.upperBound, Swift.max(range.lowerBound, value ?? range.lowerBound))
        case .capped(let base, let maximum, _):
            return Swift.min(maximum, base.standIn(near: value.map { Swift.min($0, maximum) }))
        }
    }
}

/// `3` for 3.0, `0.25`, `1e+20`: numbers in messages as a person would write them.
func formatNumber(_ value: Double) -> String {
    if value.isInfinite { return value > 0 ? "infinity" : "-infinity" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(format: "%.6g", value)
}

// MARK: - ObjectReader

/// Reads one mapping of the model: typed values by key, each error naming the key's full path and
/// pointing at the line where the value (or, for a missing key, the mapping) is written.
///
/// Every key asked for is remembered, present or not, so that ``ModelDocument/validate(_:)`` can
/// report the keys nobody asked for as unknown, with the asked-for ones as the known list.
///
/// Absent and null (`key: ~`, `key:`) are the same: a required read fails, a `default:` read
/// returns the default, ``ifPresent(_:)`` returns nil. That also lets an overlay unset an
/// optional value with `~`.
public struct ObjectReader {
    /// The dotted key path of this mapping (`api.instance`, `api.endpoints[2]`); "" for the root.
    public let path: String
    /// Where the mapping is named (its key in the parent), or where it starts if it has no key.
    public let location: ModelLocation
    let entries: [ModelEntry]
    let context: ReadContext

    init(path: String, location: ModelLocation, entries: [ModelEntry], context: ReadContext) {
        self.path = path
        self.location = location
        self.entries = entries
        self.context = context
        context.visit(path, entries: entries)
    }

    /// The keys present, in file order (asking does not count as reading them).
    public var keys: [String] { entries.map(\.key) }

    /// Whether `key` is present with a non-null value. Counts as reading the key.
    public func contains(_ key: String) -> Bool {
        ifPresent(key) != nil
    }

    /// The value of a required key.
    public func value(_ key: String) throws -> ValueReader {
        context.request(key, in: path)
        let keyPath = childPath(path, key)
        guard let entry = entries.first(where: { $0.key == key }) else {
            var message = "missing required key '\(keyPath)'"
            var at = location
            let unread = keys.filter { !context.isRequested($0, in: path) }
            if let near = KeySuggestion.closest(to: key, among: unread),
               let misspelt = entries.first(where: { $0.key == near }) {
                // Reported here, at the misspelling's own line, and not again as an unknown key.
                message += " (is '\(near)' a misspelling of it?)"
                at = misspelt.keyLocation
                context.explain(near, in: path)
            }
            throw ModelError(message, at: at)
        }
        return ValueReader(path: keyPath, node: entry.value, keyLocation: entry.keyLocation, context: context)
    }

    /// The value of an optional key, or nil when it is absent or null.
    public func ifPresent(_ key: String) -> ValueReader? {
        context.request(key, in: path)
        guard let entry = entries.first(where: { $0.key == key }), !entry.value.isNull else { return nil }
        return ValueReader(path: childPath(path, key), node: entry.value, keyLocation: entry.keyLocation, context: context)
    }

    // Shorthands for `value(key).x()` and `ifPresent(key)?.x() ?? default`. Those for scalars
    // record a missing key and go on with a stand-in (see `ModelDocument.validate`).

    public func double(_ key: String, _ constraint: Constraint = .any) throws -> Double {
        guard let value = recordingMissing(key) else { return constraint.standIn(near: nil) }
        return try value.double(constraint)
    }
    public func double(_ key: String, _ constraint: Constraint = .any, default: Double) throws -> Double {
        try ifPresent(key)?.double(constraint) ?? `default`
    }
    public func int(_ key: String, _ constraint: Constraint = .any) throws -> Int {
        guard let value = recordingMissing(key) else { return ValueReader.wholeStandIn(constraint, near: nil) }
        return try value.int(constraint)
    }
    public func int(_ key: String, _ constraint: Constraint = .any, default: Int) throws -> Int {
        try ifPresent(key)?.int(constraint) ?? `default`
    }
    public func string(_ key: String) throws -> String {
        try value(key).string()
    }
    public func string(_ key: String, default: String) throws -> String {
        try ifPresent(key)?.string() ?? `default`
    }
    public func bool(_ key: String) throws -> Bool {
        guard let value = recordingMissing(key) else { return false }
        return try value.bool()
    }
    public func bool(_ key: String, default: Bool) throws -> Bool {
        try ifPresent(key)?.bool() ?? `default`
    }
    public func enumeration<T>(_ key: String, as type: T.Type = T.self) throws -> T
    where T: RawRepresentable & CaseIterable, T.RawValue == String {
        guard let first = T.allCases.first else { return try value(key).enumeration(type) }
        guard let value = recordingMissing(key) else { return first }
        return try value.enumeration(type, standIn: first)
    }
    public func enumeration<T>(_ key: String, default: T) throws -> T
    where T: RawRepresentable & CaseIterable, T.RawValue == String {
        try ifPresent(key)?.enumeration(T.self, standIn: `default`) ?? `default`
    }
    public func object(_ key: String) throws -> ObjectReader {
        try value(key).object()
    }
    public func list(_ key: String) throws -> [ValueReader] {
        try value(key).list()
    }
    public func dictionary(_ key: String) throws -> [(name: String, value: ValueReader)] {
        try value(key).dictionary()
    }
    public func parse<T>(_ key: String, _ transform: (String) throws -> T) throws -> T {
        try value(key).parse(transform)
    }

    /// An error about `key` (at its value if present, else at this mapping), for checks that
    /// involve several keys: `throw pg.error("maxConnections", "must be at least minConnections (10), got 5")`.
    public func error(_ key: String, _ message: String) -> ModelError {
        let keyPath = childPath(path, key)
        let at = entries.first(where: { $0.key == key })?.value.location ?? location
        return ModelError("\(keyPath) \(message)", at: at)
    }

    /// Runs `body`; if it throws, records the error(s) for ``ModelDocument/validate(_:)`` to
    /// report and returns nil, so the caller can go on reading the rest of the model.
    public func collect<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            context.record(error, interrupting: true)
            return nil
        }
    }

    /// Records what `key` accepts in words (`a distribution in ms ...`), for values read with
    /// ``parse(_:_:)``; numbers, flags and enumerations describe themselves.
    public func describe(_ key: String, _ accepts: String) {
        context.describe(childPath(path, key), accepts)
    }

    /// Runs `body`; if it throws, records the error and returns `fallback`, so that reading goes
    /// on past one bad value (a distribution spec that does not parse, say) to report the next.
    /// Use it for a single value whose failure leaves nothing else unread.
    public func recovering<T>(_ fallback: T, _ body: () throws -> T) -> T {
        do {
            return try body()
        } catch {
            context.record(error, interrupting: false, aboutValue: true)
            return fallback
        }
    }

    /// The value of a required key, or nil after recording that it is missing.
    private func recordingMissing(_ key: String) -> ValueReader? {
        do {
            return try value(key)
        } catch {
            context.record(error, interrupting: false)
            return nil
        }
    }
}

// MARK: - ValueReader

/// One value of the model (a key's value or a list item) with its key path and location.
public struct ValueReader {
    /// The dotted key path (`api.instance.vcpu`, `api.regions[0]`).
    public let path: String
    /// The value as merged, for anything the typed readers do not cover.
    public let node: ModelNode
    /// Where the key of this value is written; nil for list items.
    public let keyLocation: ModelLocation?
    let context: ReadContext

    /// Where the value is written.
    public var location: ModelLocation { node.location }

    /// A plain number (`4`, `-2.5`, `1e-3`, `1_000_000`), finite, satisfying `constraint`.
    /// Quoted text is not a number. A bad value is recorded and a stand-in returned (see
    /// ``ModelDocument/validate(_:)``).
    public func double(_ constraint: Constraint = .any) throws -> Double {
        context.describe(path, "a number, \(constraint.summary)")
        guard case .scalar(let text, plain: true) = node.content, let value = Self.number(text) else {
            recordValueError(typeError(Self.looksNumeric(node) ? "a finite number" : "a number"))
            return constraint.standIn(near: nil)
        }
        if let problem = violation(value, text, constraint) {
            recordValueError(problem)
            return constraint.standIn(near: value)
        }
        return value
    }

    /// A plain whole number (`4`, `-2`, `10_000`), satisfying `constraint`. One too large for
    /// any integer is reported against the constraint's bounds, not as "not a whole number".
    public func int(_ constraint: Constraint = .any) throws -> Int {
        context.describe(path, "a whole number, \(constraint.summary)")
        guard case .scalar(let text, plain: true) = node.content else {
            recordValueError(typeError("a whole number"))
            return Self.wholeStandIn(constraint, near: nil)
        }
        guard let value = Self.integer(text) else {
            if Self.isDigits(text), let huge = Self.number(text) {
                recordValueError(violation(huge, text, constraint) ?? typeError("a whole number"))
                return Self.wholeStandIn(constraint, near: huge)
            }
            recordValueError(typeError("a whole number"))
            return Self.wholeStandIn(constraint, near: nil)
        }
        if let problem = violation(Double(value), text, constraint) {
            recordValueError(problem)
            return Self.wholeStandIn(constraint, near: Double(value))
        }
        return value
    }

    /// Any scalar except null, as written (a plain `42` reads as "42").
    public func string() throws -> String {
        guard case .scalar(let text, _) = node.content, !node.isNull else { throw typeError("a string") }
        return text
    }

    /// `true` or `false` (also `True`, `TRUE`, `False`, `FALSE`). YAML 1.1's `yes`, `no`, `on`,
    /// `off` are refused rather than guessed at.
    public func bool() throws -> Bool {
        context.describe(path, "true or false")
        if case .scalar(let text, plain: true) = node.content {
            if ["true", "True", "TRUE"].contains(text) { return true }
            if ["false", "False", "FALSE"].contains(text) { return false }
        }
        recordValueError(typeError("true or false"))
        return false
    }

    /// One of the raw values of `T`; the error lists them all and suggests the closest.
    public func enumeration<T>(_ type: T.Type = T.self) throws -> T
    where T: RawRepresentable & CaseIterable, T.RawValue == String {
        context.describe(path, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        let text = try string()
        if let value = T(rawValue: text) { return value }
        throw enumerationError(text, T.allCases.map(\.rawValue))
    }

    /// ``enumeration(_:)`` that records a bad name and returns `standIn`.
    func enumeration<T>(_ type: T.Type = T.self, standIn: T) throws -> T
    where T: RawRepresentable & CaseIterable, T.RawValue == String {
        context.describe(path, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        guard case .scalar(let text, _) = node.content, !node.isNull else {
            recordValueError(typeError("a string"))
            return standIn
        }
        if let value = T(rawValue: text) { return value }
        recordValueError(enumerationError(text, T.allCases.map(\.rawValue)))
        return standIn
    }

    private func enumerationError(_ text: String, _ names: [String]) -> ModelError {
        var message = "\(path) must be one of \(names.map { "'\($0)'" }.joined(separator: ", ")), got '\(text)'"
        if let near = KeySuggestion.closest(to: text, among: names) { message += " (did you mean '\(near)'?)" }
        return ModelError(message, at: location)
    }

    /// The value as a mapping with fixed keys (unread keys are reported as unknown).
    public func object() throws -> ObjectReader {
        guard let entries = node.entries else { throw typeError("a mapping of keys") }
        return ObjectReader(path: path, location: keyLocation ?? location, entries: entries, context: context)
    }

    /// The items of a list, with paths `path[0]`, `path[1]`, ...
    public func list() throws -> [ValueReader] {
        guard case .list(let items) = node.content else { throw typeError("a list") }
        return items.enumerated().map { index, item in
            ValueReader(path: "\(path)[\(index)]", node: item, keyLocation: nil, context: context)
        }
    }

    /// A mapping of named items (`endpoints:`, `queries:`) in file order; any name is accepted.
    /// Read each item with ``object()`` or a scalar reader.
    public func dictionary() throws -> [(name: String, value: ValueReader)] {
        guard let entries = node.entries else { throw typeError("a mapping of named entries") }
        return entries.map { entry in
            (entry.key, ValueReader(path: childPath(path, entry.key), node: entry.value,
                                    keyLocation: entry.keyLocation, context: context))
        }
    }

    /// A mapping of names to probabilities (`mix: {browse: 0.7, buy: 0.3}`), in file order, each
    /// between 0 and 1, summing to 1 within 1e-6.
    public func probabilities() throws -> [(name: String, probability: Double)] {
        var items: [(name: String, probability: Double)] = []
        for (name, value) in try dictionary() { items.append((name, try value.double(.probability))) }
        let sum = items.reduce(0) { $0 + $1.probability }
        guard !items.isEmpty, abs(sum - 1) <= 1e-6 else {
            throw ModelError("\(path) probabilities must sum to 1, got \(formatNumber(sum))",
                             at: keyLocation ?? location)
        }
        return items
    }

    /// The string value turned into something else by `transform` (a distribution spec, a
    /// duration, ...); whatever `transform` throws becomes an error at this value:
    /// `api.latency: 'exp:x' is not a number` (a thrown ``ModelError`` is passed through as is).
    public func parse<T>(_ transform: (String) throws -> T) throws -> T {
        let text = try string()
        do {
            return try transform(text)
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError("\(path): \(error)", at: location)
        }
    }

    /// Records what this value accepts in words, for values read as text and parsed.
    public func describe(_ accepts: String) {
        context.describe(path, accepts)
    }

    /// An error about this value: `value.error("must be a power of two, got 6")` reads
    /// `api.shards must be a power of two, got 6` at the value's location.
    public func error(_ message: String) -> ModelError {
        ModelError("\(path) \(message)", at: location)
    }

    private func typeError(_ expected: String) -> ModelError {
        ModelError("\(path): expected \(expected), got \(node.shortDescription)", at: location)
    }

    private func violation(_ value: Double, _ text: String, _ constraint: Constraint) -> ModelError? {
        constraint.violation(value).map { ModelError("\(path) \($0), got \(text)", at: location) }
    }

    /// Records a bad scalar without stopping the reading.
    private func recordValueError(_ error: ModelError) {
        context.record(error, interrupting: false, aboutValue: true)
    }

    /// A whole number satisfying `constraint` near `value`, for reading on after an error.
    static func wholeStandIn(_ constraint: Constraint, near value: Double?) -> Int {
        let x = constraint.standIn(near: value).rounded()
        if let whole = Int(exactly: x), constraint.violation(Double(whole)) == nil { return whole }
        return Int(exactly: constraint.standIn(near: nil).rounded(.up)) ?? 0
    }

    /// `.inf`, `nan` and their spellings: numbers YAML knows that a model may not use.
    static func looksNumeric(_ node: ModelNode) -> Bool {
        guard case .scalar(let text, plain: true) = node.content else { return false }
        return [".inf", "+.inf", "-.inf", ".nan", ".Inf", ".INF", ".NaN", ".NAN", "inf", "nan", "infinity", "-inf"].contains(text)
            || (number(text) == nil && Double(text.replacingOccurrences(of: "_", with: ""))?.isFinite == false)
    }

    static func isDigits(_ text: String) -> Bool {
        var digits = Substring(text)
        if let sign = digits.first, sign == "+" || sign == "-" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCIIDigit || $0 == "_" } && digits.first != "_"
    }

    /// Decimal numbers with optional sign, fraction, exponent and `_` digit separators; not
    /// YAML 1.1's hex, octal, sexagesimal, `.inf` or `.nan`.
    static func number(_ text: String) -> Double? {
        let allowed = Set("0123456789+-._eE")
        guard let first = text.first, "0123456789+-.".contains(first), text.allSatisfy(allowed.contains),
              text.contains(where: \.isASCIIDigit) else { return nil }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else { return nil }
        return value
    }

    static func integer(_ text: String) -> Int? {
        var digits = Substring(text)
        if let sign = digits.first, sign == "+" || sign == "-" { digits = digits.dropFirst() }
        guard let first = digits.first, first.isASCIIDigit, digits.allSatisfy({ $0.isASCIIDigit || $0 == "_" }) else { return nil }
        return Int(text.replacingOccurrences(of: "_", with: ""))
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

func childPath(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}

// MARK: - Shared state of one validation

/// What one ``ModelDocument/validate(_:)`` run has seen: errors collected so far, and for each
/// mapping opened as an ``ObjectReader`` (by key path, in opening order) the keys asked for.
final class ReadContext {
    var errors: [ModelError] = []
    /// Whether an error stopped reading part way (then unknown keys prove nothing).
    private(set) var interrupted = false
    /// Where values already reported are: a later error there is a consequence of the stand-in.
    private var reportedValues = Set<ModelLocation>()
    /// Keys already reported as the likely misspelling of a missing key, by mapping path.
    private var explained: [String: Set<String>] = [:]
    private var visits: [String: (entries: [ModelEntry], requested: Set<String>)] = [:]
    private var visitOrder: [String] = []
    /// What each value read accepts, by key path (list items as `[i]`), for `model keys`.
    private(set) var accepted: [String: String] = [:]

    func describe(_ path: String, _ accepts: String) {
        if accepted[path] == nil { accepted[path] = accepts }
    }

    func visit(_ path: String, entries: [ModelEntry]) {
        guard visits[path] == nil else { return }
        visits[path] = (entries, [])
        visitOrder.append(path)
    }

    func request(_ key: String, in path: String) {
        visits[path]?.requested.insert(key)
    }

    func isRequested(_ key: String, in path: String) -> Bool {
        visits[path]?.requested.contains(key) ?? false
    }

    /// `key` in the mapping at `path` was named as a misspelling: not an unknown key too.
    func explain(_ key: String, in path: String) {
        explained[path, default: []].insert(key)
    }

    /// Records an error. `interrupting`: reading stopped part way because of it (a thrown
    /// error that reached ``ObjectReader/collect(_:)`` or the top) rather than going on with a
    /// stand-in. `aboutValue`: the error is about the value at its location, so a later error
    /// there (a check across keys that saw the stand-in) is dropped.
    func record(_ error: any Error, interrupting: Bool, aboutValue: Bool = false) {
        if interrupting { interrupted = true }
        let new: [ModelError]
        switch error {
        case let error as ModelError: new = [error]
        case let error as ModelErrors: new = error.errors
        default: new = [ModelError("\(error)", at: nil)]
        }
        for e in new {
            if let at = e.location, at.line > 0 || at.file.hasPrefix("--set ") {
                guard !reportedValues.contains(at) else { continue }
                if aboutValue { reportedValues.insert(at) }
            }
            errors.append(e)
        }
    }

    /// One error per key never asked for, in the mappings opened as readers.
    func unknownKeyErrors() -> [ModelError] {
        var result: [ModelError] = []
        for path in visitOrder {
            guard let visit = visits[path] else { continue }
            let known = visit.requested.sorted()
            let explainedHere = explained[path] ?? []
            for entry in visit.entries where !visit.requested.contains(entry.key) && !explainedHere.contains(entry.key) {
                let place = path.isEmpty ? "at the top level" : "in \(path)"
                var hints: [String] = []
                if let near = KeySuggestion.closest(to: entry.key, among: known) { hints.append("did you mean '\(near)'?") }
                let shown = known.count > 20 ? known.prefix(20).joined(separator: ", ") + ", ..." : known.joined(separator: ", ")
                hints.append(known.isEmpty ? "no keys are read here" : "known keys: \(shown)")
                result.append(ModelError("unknown key '\(entry.key)' \(place) (\(hints.joined(separator: " ")))",
                                         at: entry.keyLocation))
            }
        }
        return result
    }
}
