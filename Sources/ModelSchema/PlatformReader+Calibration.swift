import Foundation
import ModelFiles
import PlatformModel

/// The `calibration:` section of a model: how a platform's telemetry maps onto the model, and the
/// measurements an overlay written by `platform-sim calibrate` carries.
///
/// - `routes`: the route table from HTTP method and path to the model's endpoints (access logs);
/// - `statements`: regular expressions from normalised SQL to the model's query classes
///   (`pg_stat_statements`);
/// - `measured`: for each measured parameter, its value, 95% interval, sample count, source and
///   joint draws (bootstrap replicates, aligned by index across the parameters of one
///   calibration), so that runs can draw the parameters from what the measurements allow.
///
/// It lives in the model files so that the simulator, `validate` and the notebooks see the same
/// thing, and an overlay can replace the route table of another platform whole.
public struct CalibrationSection: Sendable, Equatable {
    public struct Route: Sendable, Equatable {
        /// `GET`, `POST`, ... or `*` for any.
        public var method: String
        /// `/api/v1/leads/:id`: literal segments, `:name` for any one segment, a final `*` for the rest.
        public var path: String
        public var endpoint: Int
        public var endpointName: String
        /// The query parameter that carries a list's page size.
        public var limitParameter: String
        public init(method: String, path: String, endpoint: Int, endpointName: String, limitParameter: String = "limit") {
            self.method = method; self.path = path; self.endpoint = endpoint; self.endpointName = endpointName; self.limitParameter = limitParameter
        }
    }

    public struct StatementPattern: Sendable, Equatable {
        /// A regular expression matched (case-insensitively) against the normalised query text.
        public var match: String
        public var query: Int
        public var queryName: String
        public init(match: String, query: Int, queryName: String) { self.match = match; self.query = query; self.queryName = queryName }
    }

    /// Which number of a value a measurement is about.
    public enum Part: String, Sendable, CaseIterable {
        /// The value itself (a number, or one item of a list or mapping of numbers).
        case value
        /// The mean of a distribution spec (`exp:30`, `lognormal:30,0.5`: the first number).
        case mean
        /// The coefficient of variation of a `lognormal:MEAN,CV` or `gamma:MEAN,CV` spec.
        case cv
    }

    public struct Measurement: Sendable, Equatable {
        /// The entry's name: a key path (`traffic.dailyActiveFraction`, `traffic.diurnalWeights[3]`,
        /// `traffic.authenticatedMix.dashboard`), with `@mean` or `@cv` for a distribution's part.
        public var name: String
        public var keyPath: String
        public var part: Part
        public var value: Double
        public var low: Double
        public var high: Double
        public var samples: Int
        public var source: String
        /// Joint draws: draw i of every parameter of one calibration comes from the same bootstrap
        /// replicate (empty: draw from the interval).
        public var draws: [Double]
        /// The value the merged model has at the key path now (the measured part of it).
        public var modelValue: Double
        public init(name: String, keyPath: String, part: Part, value: Double, low: Double, high: Double, samples: Int,
                    source: String, draws: [Double], modelValue: Double) {
            self.name = name; self.keyPath = keyPath; self.part = part; self.value = value; self.low = low; self.high = high
            self.samples = samples; self.source = source; self.draws = draws; self.modelValue = modelValue
        }
        /// Whether the model still holds the measured value (an override may have replaced it).
        public var isInForce: Bool { abs(modelValue - value) <= 1e-9 * max(1, abs(value)) }
    }

    public var routes: [Route] = []
    public var statements: [StatementPattern] = []
    public var measured: [Measurement] = []
    public init() {}
}

/// Reads and checks the `calibration:` section against the rest of the merged model.
struct CalibrationReader {
    /// A measured value, its interval's ends and its draws: numbers of the model's own keys,
    /// which are at most 1e15 (distributions) or less (the keys' own bounds, checked when a
    /// draw is applied).
    static let measuredNumber = Constraint.range(-1e15...1e15).atMost(1e15, because: "no key of the model accepts more")
    /// Joint draws per measured number.
    static let maxDraws = 10_000

    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"]

    func read(_ root: ObjectReader, endpoints: [String], queries: [String]) throws -> CalibrationSection {
        var section = CalibrationSection()
        let c = try root.object("calibration")
        for item in try c.list("routes") {
            let r = try item.object()
            let methodValue = try r.value("method")
            let method = try methodValue.string().uppercased()
            guard Self.methods.contains(method) else {
                throw methodValue.error("must be an HTTP method (\(Self.methods.joined(separator: ", "))), got '\(method)'")
            }
            let pathValue = try r.value("path")
            let path = try pathValue.string()
            guard path.hasPrefix("/"), !path.contains("?"), !path.contains(" ") else {
                throw pathValue.error("must be a path starting with '/', without a query or spaces, got '\(path)'")
            }
            if let star = path.firstIndex(of: "*"), path.index(after: star) != path.endIndex {
                throw pathValue.error("may have '*' only at its end, got '\(path)'")
            }
            let endpointValue = try r.value("endpoint")
            let name = try endpointValue.string()
            guard let index = endpoints.firstIndex(of: name) else {
                throw endpointValue.error("names an unknown endpoint '\(name)' (known: \(endpoints.joined(separator: ", ")))")
            }
            section.routes.append(.init(method: method, path: path, endpoint: index, endpointName: name,
                                        limitParameter: try r.string("limitParameter", default: "limit")))
        }
        for item in try c.list("statements") {
            let s = try item.object()
            let matchValue = try s.value("match")
            let pattern = try matchValue.string()
            do { _ = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) } catch {
                throw matchValue.error("is not a regular expression: '\(pattern)'")
            }
            let queryValue = try s.value("query")
            let name = try queryValue.string()
            guard let index = queries.firstIndex(of: name) else {
                throw queryValue.error("names an unknown query '\(name)' (known: \(queries.joined(separator: ", ")))")
            }
            section.statements.append(.init(match: pattern, query: index, queryName: name))
        }
        for (name, value) in try c.dictionary("measured") {
            section.measured.append(try readMeasurement(name, value, root: root))
        }
        return section
    }

    func readMeasurement(_ name: String, _ value: ValueReader, root: ObjectReader) throws -> CalibrationSection.Measurement {
        let m = try value.object()
        var keyPath = name
        var part = CalibrationSection.Part.value
        if let at = name.firstIndex(of: "@") {
            keyPath = String(name[..<at])
            let suffix = String(name[name.index(after: at)...])
            guard let p = CalibrationSection.Part(rawValue: suffix), p != .value else {
                throw value.error("names '\(suffix)' after '@'; expected @mean or @cv")
            }
            part = p
        }
        guard let node = Self.node(at: keyPath, in: root) else {
            throw ModelError("calibration.measured names '\(keyPath)', which the model does not have", at: value.keyLocation ?? value.location)
        }
        guard case .scalar(let text, _) = node.content else {
            throw ModelError("calibration.measured '\(keyPath)' is not a single number or distribution in the model", at: value.keyLocation ?? value.location)
        }
        guard let current = CalibrationSection.number(in: text, part: part) else {
            throw ModelError("calibration.measured '\(name)': the model's value '\(text)' has no \(part == .value ? "number" : part.rawValue) to measure", at: value.keyLocation ?? value.location)
        }
        let v = try m.double("value", Self.measuredNumber)
        let low = try m.double("low", Self.measuredNumber)
        let high = try m.double("high", Self.measuredNumber)
        guard low <= v, v <= high else { throw m.error("low", "must be at most value and value at most high, got low \(low), value \(v), high \(high)") }
        let drawsValue = m.ifPresent("draws")
        let draws = try drawsValue?.list().map { try $0.double(Self.measuredNumber) } ?? []
        // `calibrate` writes 50; each becomes a replication's overrides.
        if let drawsValue, draws.count > Self.maxDraws {
            throw drawsValue.error("has \(draws.count) draws; at most \(Self.maxDraws) (calibrate writes 50, one per replication)")
        }
        return .init(name: name, keyPath: keyPath, part: part, value: v, low: low, high: high,
                     samples: try m.int("samples", Constraint.range(0...1e15).atMost(1e15, because: "more observations than any telemetry holds")),
                     source: try m.string("source"), draws: draws, modelValue: current)
    }

    /// The node at `traffic.diurnalWeights[3]` or `traffic.authenticatedMix.dashboard`.
    static func node(at keyPath: String, in root: ObjectReader) -> ModelNode? {
        let parts = keyPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        /// `diurnalWeights[3]` as the key and its list indexes.
        func split(_ segment: String) -> (String, [Int])? {
            var name = segment
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
                indexes.insert(i, at: 0)
                name = String(name[..<open])
            }
            return name.isEmpty ? nil : (name, indexes)
        }
        func indexed(_ node: ModelNode, _ indexes: [Int]) -> ModelNode? {
            var current = node
            for i in indexes {
                guard case .list(let items) = current.content, i >= 0, i < items.count else { return nil }
                current = items[i]
            }
            return current
        }
        guard let (firstName, firstIndexes) = split(parts[0]), let top = root.ifPresent(firstName)?.node,
              var node = indexed(top, firstIndexes) else { return nil }
        for segment in parts.dropFirst() {
            guard let (name, indexes) = split(segment), let child = node.entries?.first(where: { $0.key == name })?.value,
                  let next = indexed(child, indexes) else { return nil }
            node = next
        }
        return node
    }
}

extension CalibrationSection {
    /// The measured number in a value as written: the number itself, or a distribution's mean
    /// (its first argument) or CV (the second argument of `lognormal:`/`gamma:`).
    public static func number(in text: String, part: Part) -> Double? {
        switch part {
        case .value:
            return Double(text.replacingOccurrences(of: "_", with: ""))
        case .mean, .cv:
            let pieces = text.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else { return nil }
            let args = pieces[1].split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            let kind = pieces[0].lowercased()
            if part == .mean {
                guard ["exp", "exponential", "lognormal", "gamma", "hyperexp", "hyperexponential", "h2", "det", "deterministic", "const"].contains(kind) else { return nil }
                return args.first ?? nil
            }
            guard ["lognormal", "gamma", "hyperexp", "hyperexponential", "h2"].contains(kind), args.count == 2 else { return nil }
            return args[1]
        }
    }

    /// The value text with the measured part replaced by `x` (`exp:30` with mean 31.5 gives
    /// `exp:31.5`); nil when the text has no such part.
    public static func replacing(_ part: Part, in text: String, with x: String) -> String? {
        guard number(in: text, part: part) != nil else { return nil }
        if part == .value { return x }
        let pieces = text.split(separator: ":", maxSplits: 1)
        var args = pieces[1].split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        args[part == .mean ? 0 : 1] = x
        return "\(pieces[0]):" + args.joined(separator: ",")
    }
}
