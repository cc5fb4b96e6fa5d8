import ModelFiles
import PlatformModel
import SimulationEngine

/// Parameter uncertainty: the measured parameters of a model (its `calibration.measured`
/// entries) set to one of their joint draws, as `--set` overrides, so that a replication or a
/// sweep cell runs with parameters the measurements allow rather than only their point values.
extension PlatformModelFile {
    /// Overrides setting every measured parameter that is still in force to draw `index`.
    ///
    /// Draw i of every number of one calibration comes from the same bootstrap replicate, so
    /// parameters estimated together (the active pool and requests per user, the shares of a mix)
    /// keep their correlation; a number without draws is drawn from a two-piece normal through
    /// its interval (the interval's halves as 1.96 standard deviations). A measured value that an
    /// override or a later overlay has replaced is not drawn: what was set by hand wins. Lists are
    /// set whole, and a mapping of shares that sums to 1 (an endpoint mix) is renormalised.
    /// - Returns: the overrides, to apply after `overrides` (empty when nothing is measured).
    public static func parameterDraw(_ index: Int, base basePath: String, configuration: String, overrides: [String] = [],
                                     extraOverlays: [String] = []) throws(ModelErrors) -> [String] {
        let configs = try configurations(in: basePath)
        guard let config = configs.first(where: { $0.name == configuration }) else {
            throw ModelErrors([ModelError("unknown configuration '\(configuration)'", at: ModelLocation(file: basePath))])
        }
        let document = try ModelDocument.load(base: basePath, overlays: config.overlays + extraOverlays, overrides: overrides, openPaths: openPaths, baseOnly: baseOnlyKeys)
        let measured = try loadWithCalibration(basePath, configuration: configuration, overrides: overrides, extraOverlays: extraOverlays).calibration.measured
        let root = document.root
        let set = Set(overrides.map { String($0.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces) })

        func drawn(_ m: CalibrationSection.Measurement) -> Double {
            var x: Double
            if !m.draws.isEmpty {
                x = m.draws[((index % m.draws.count) + m.draws.count) % m.draws.count]
            } else {
                var rng = RandomStreams(masterSeed: UInt64(truncatingIfNeeded: index), replication: 0).stream("calibration." + m.name)
                let z = Distribution.standardNormal(&rng)
                x = m.value + z * (z < 0 ? m.value - m.low : m.high - m.value) / 1.96
            }
            x = Swift.max(0, x)
            if m.high <= 1 && m.low >= 0 { x = Swift.min(1, x) }
            return x
        }
        func text(_ x: Double) -> String {
            if x == x.rounded(), abs(x) < 1e12 { return String(Int64(x)) }
            return String(format: "%.9g", x)
        }

        var result: [String] = []
        var lists: [String: [String]] = [:], listOrder: [String] = []
        var shares: [String: [(String, Double)]] = [:], shareOrder: [String] = []
        var parts: [String: String] = [:], partOrder: [String] = []
        for m in measured where m.isInForce && !set.contains(m.keyPath) {
            let x = drawn(m)
            let segments = m.keyPath.split(separator: ".").map(String.init)
            if m.part != .value {
                let current = parts[m.keyPath] ?? node(root, segments).flatMap(scalar) ?? ""
                guard let replaced = CalibrationSection.replacing(m.part, in: current, with: text(x)) else { continue }
                if parts[m.keyPath] == nil { partOrder.append(m.keyPath) }
                parts[m.keyPath] = replaced
            } else if let last = segments.last, last.hasSuffix("]"), let open = last.lastIndex(of: "["),
                      let i = Int(last[last.index(after: open)..<last.index(before: last.endIndex)]) {
                let listPath = (segments.dropLast() + [String(last[..<open])]).joined(separator: ".")
                if lists[listPath] == nil {
                    guard let n = node(root, listPath.split(separator: ".").map(String.init)), case .list(let items) = n.content else { continue }
                    lists[listPath] = items.map { scalar($0) ?? "0" }
                    listOrder.append(listPath)
                }
                if i < lists[listPath]!.count { lists[listPath]![i] = text(x) }
            } else if segments.count >= 2, let parent = node(root, Array(segments.dropLast())), let entries = parent.entries,
                      isShares(entries) {
                let parentPath = segments.dropLast().joined(separator: ".")
                if shares[parentPath] == nil {
                    shares[parentPath] = entries.map { ($0.key, Double(scalar($0.value) ?? "0") ?? 0) }
                    shareOrder.append(parentPath)
                }
                if let k = shares[parentPath]!.firstIndex(where: { $0.0 == segments.last! }) { shares[parentPath]![k].1 = x }
            } else {
                result.append("\(m.keyPath)=\(text(x))")
            }
        }
        for path in listOrder { result.append("\(path)=[\(lists[path]!.joined(separator: ", "))]") }
        for path in shareOrder {
            let items = shares[path]!
            let total = items.reduce(0) { $0 + $1.1 }
            guard total > 0 else { continue }
            result.append("\(path)={" + items.map { "\($0.0): \(String(format: "%.12f", $0.1 / total))" }.joined(separator: ", ") + "}")
        }
        for path in partOrder { result.append("\(path)=\(parts[path]!)") }
        return result
    }

    static func node(_ root: ModelNode, _ segments: [String]) -> ModelNode? {
        var n = root
        for s in segments {
            guard let next = n.entries?.first(where: { $0.key == s })?.value else { return nil }
            n = next
        }
        return n
    }

    static func scalar(_ n: ModelNode) -> String? {
        if case .scalar(let t, _) = n.content { return t }
        return nil
    }

    /// A mapping of numbers that sum to 1 (an endpoint mix).
    static func isShares(_ entries: [ModelEntry]) -> Bool {
        var total = 0.0
        for e in entries {
            guard let t = scalar(e.value), let x = Double(t) else { return false }
            total += x
        }
        return abs(total - 1) <= 1e-6
    }
}
