import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

/// The time per statement of each of the model's query classes, from two `pg_stat_statements`
/// snapshots.
///
/// The difference after - before is the interval's work. The tracked set changes between
/// snapshots (entries evicted at `pg_stat_statements.max`, new ones added, a reset): an entry
/// with fewer calls after than before was reset or evicted and re-added, and counts with what it
/// has after; one only after is new and counts whole; one only before was evicted and its work
/// in the interval is unknown: the report states how much of the before snapshot's time that
/// was. Statements map to query classes by the model's `calibration.statements` patterns; what
/// no pattern matches is unmapped, and its share of the interval's time is stated.
///
/// The model's query time is `statementCpuMs x statements` plus the rows its plan touches at the
/// table sizes of the registered users given; the measured time per transaction, less that row
/// part, sets the mean of `statementCpuMs` (its spread stays the model's).
public struct PgStatStatementsCalibration: Sendable {
    public struct QueryRow: Sendable, Equatable {
        public var query: String
        public var statements: Int
        public var calls: Double
        /// Mean ms per statement over the interval, and its 95% half-width.
        public var meanMs: Double
        public var halfWidthMs: Double
        /// The model's row part per transaction at the given scale, ms.
        public var rowPartMs: Double
    }
    public var rows: [QueryRow] = []
    public var parameters: [CalibratedParameter] = []
    public var skipped: [SkippedParameter] = []
    public var notes: [String] = []
    public var mappedTimeMs = 0.0, unmappedTimeMs = 0.0, utilityTimeMs = 0.0, evictedTimeMs = 0.0
    public var unmapped: [(query: String, timeMs: Double, calls: Double)] = []

    static let utility = try! NSRegularExpression(pattern: "^\\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|DEALLOCATE|DISCARD|RESET|SAVEPOINT|RELEASE|START TRANSACTION|SELECT \\$1\\s*$)", options: [.caseInsensitive])

    public init(before: (path: String, text: String), after: (path: String, text: String), model: PlatformModel,
                calibration: CalibrationSection, registeredUsers: Int?) throws {
        let b = try PgStatStatementsSnapshot.parse(before.text, file: before.path)
        let a = try PgStatStatementsSnapshot.parse(after.text, file: after.path)
        let beforeByKey = Dictionary(b.entries.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        let afterKeys = Set(a.entries.map(\.key))
        var reset = 0, added = 0
        let patterns = calibration.statements.map { (try! NSRegularExpression(pattern: $0.match, options: [.caseInsensitive]), $0.query) }
        var perQuery: [Int: (calls: Double, time: Double, squares: Double?)] = [:]
        var unmappedByText: [String: (Double, Double)] = [:]
        for e in a.entries {
            var calls = e.calls, time = e.totalTime, squares = e.sumOfSquares
            if let p = beforeByKey[e.key] {
                if e.calls >= p.calls {
                    calls -= p.calls; time -= p.totalTime
                    if let s = squares, let ps = p.sumOfSquares { squares = s - ps } else { squares = nil }
                } else {
                    reset += 1
                }
            } else {
                added += 1
            }
            guard calls > 0 else { continue }
            let text = e.query.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
            let range = NSRange(text.startIndex..., in: text)
            if Self.utility.firstMatch(in: text, range: range) != nil { utilityTimeMs += time; continue }
            if let q = patterns.first(where: { $0.0.firstMatch(in: text, range: range) != nil })?.1 {
                var acc = perQuery[q] ?? (0, 0, 0)
                acc.calls += calls; acc.time += time
                acc.squares = (acc.squares != nil && squares != nil) ? acc.squares! + squares! : nil
                perQuery[q] = acc
                mappedTimeMs += time
            } else {
                unmappedTimeMs += time
                let shown = text.count > 100 ? String(text.prefix(97)) + "..." : text
                let prior = unmappedByText[shown] ?? (0, 0)
                unmappedByText[shown] = (prior.0 + time, prior.1 + calls)
            }
        }
        let evicted = b.entries.filter { !afterKeys.contains($0.key) }
        evictedTimeMs = evicted.reduce(0) { $0 + $1.totalTime }
        unmapped = unmappedByText.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.timeMs > $1.timeMs || ($0.timeMs == $1.timeMs && $0.query < $1.query) }
        let total = mappedTimeMs + unmappedTimeMs
        if total > 0 {
            notes.append("pg_stat_statements: \(percent(mappedTimeMs / total)) of the interval's statement time maps to the model's query classes, \(percent(unmappedTimeMs / total)) is unmapped (\(unmapped.count) statements); transaction control and SET/SHOW took \(NumberText.significant(utilityTimeMs, 3)) ms more")
        }
        if reset > 0 || added > 0 || !evicted.isEmpty {
            notes.append("pg_stat_statements: the tracked set changed between the snapshots: \(added) statements new, \(reset) reset or evicted and re-added (counted from zero), \(evicted.count) evicted (their \(NumberText.significant(evictedTimeMs, 3)) ms before the interval, and whatever they did in it, are not counted)")
        }

        // The model at the registered users given (table sizes), for the row part of each query.
        var scaled = model
        if let n = registeredUsers { scaled.traffic.users = n } else {
            notes.append("pg_stat_statements: no --registered-users, so the row part of each query is taken at the model's \(model.traffic.users) users")
        }
        let sizeBiased = 1 + model.traffic.activityWeight.squaredCV
        let source = "\(before.path) to \(after.path)"
        for (q, query) in model.database.queries.enumerated() {
            let key = "database.queries.\(query.name).statementCpuMs"
            guard let acc = perQuery[q] else {
                skipped.append(SkippedParameter(keyPath: key, reason: "no statement of the interval matches its patterns"))
                continue
            }
            guard acc.calls >= 30 else {
                skipped.append(SkippedParameter(keyPath: key, reason: "fewer than 30 calls in the interval (\(Int(acc.calls)))"))
                continue
            }
            let mean = acc.time / acc.calls
            let sd: Double
            if let s = acc.squares { sd = Swift.max(0, s / acc.calls - mean * mean).squareRoot() } else { sd = mean * query.statementCPU.squaredCV.squareRoot() }
            let half = 1.96 * sd / acc.calls.squareRoot()
            let page = Self.meanPage(of: q, model: model)
            let cost = OfferedLoad.queryCost(query, model: scaled, rows: page, userWeight: sizeBiased)
            let rowPart = (cost.cpu - query.statementCPU.mean * Double(query.statements)) * 1000
            let statements = Double(query.statements)
            rows.append(QueryRow(query: query.name, statements: query.statements, calls: acc.calls, meanMs: mean, halfWidthMs: half, rowPartMs: rowPart))
            let perStatement = (mean * statements - rowPart) / statements
            guard perStatement > 0 else {
                skipped.append(SkippedParameter(keyPath: key, reason: String(format: "measured %.3f ms per transaction, but the model's plan alone takes %.3f ms in rows at this scale: check the table sizes (rowsPerUser) and indexes rather than the statement overhead", mean * statements, rowPart)))
                continue
            }
            let text = NumberText.significant(perStatement, 4)
            let v = Double(text)!
            let lowValue = Swift.max(1e-6, v - half), highValue = v + half
            var rng = Xoshiro256StarStar(seed: RandomStreams.fnv1a(key))
            let draws = (0..<TrafficCalibration.drawCount).map { _ in Swift.max(1e-6, v + half / 1.96 * Distribution.standardNormal(&rng)) }
            parameters.append(CalibratedParameter(
                keyPath: key, value: DistributionText.spec(query.statementCPU.scaled(by: 1000), mean: text),
                comment: "measured: \(source), \(Int(acc.calls)) calls at \(NumberText.significant(mean, 4)) ms per statement, 95% interval \(NumberText.significant(lowValue)) to \(NumberText.significant(highValue)); less the plan's rows (\(NumberText.significant(rowPart, 3)) ms a transaction)",
                measurements: [MeasuredValue(name: key + "@mean", value: v, low: lowValue, high: highValue, samples: Int(acc.calls), source: source, draws: draws)]))
        }
    }

    /// The mean page a query's list endpoints ask for (capped), for its `page` plans.
    static func meanPage(of q: Int, model: PlatformModel) -> Double {
        for e in model.endpoints where e.steps.contains(.query(q)) {
            if let limit = e.requestedLimit {
                var m = limit.mean
                if let cap = model.api.maxPageSize { m = Swift.min(m, Double(cap)) }
                return m
            }
        }
        return 1
    }
}
