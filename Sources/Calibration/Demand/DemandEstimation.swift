import SimulationEngine

/// The API's CPU time per request from what an operator usually has: a series of CPU use over
/// time (busy cores, from the platform's metrics) and the access log's request counts in the
/// same intervals.
///
/// The utilization law says busy = X D per class; over intervals the busy cores are regressed
/// on the request rate, busy_t = U0 + D X_t, by least squares (the regression approach of
/// Rolia and Vetland 1995, "Parameter estimation for performance models of distributed
/// application systems", and of the demand-estimation surveys since, e.g. Spinner et al. 2015);
/// U0 is what the processes burn without requests (timers, GC, health checks). Intervals come
/// from a moving-block bootstrap over the intervals (blocks keep the autocorrelation of
/// neighbouring intervals), not from the textbook standard error, which assumes independent
/// residuals. One class: with a steady endpoint mix, per-endpoint demands are not identifiable.
public struct DemandEstimation: Sendable {
    /// CPU seconds per request, and its 95% interval.
    public var demand: Double
    public var low: Double
    public var high: Double
    /// Busy cores with no requests.
    public var background: Double
    /// Intervals used, and R^2 of the fit.
    public var intervals: Int
    public var rSquared: Double

    /// A `time,busy_cores` CSV: a header naming those columns, then one row per sample; time is
    /// ISO 8601 or seconds since 1970; a row's value covers the time until the next row.
    public static func readSeries(_ text: String, file: String) throws -> [(start: Double, end: Double, busy: Double)] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw CalibrationError("the utilization file is empty", file: file)
        }
        let names = lines[headerIndex].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let t = names.firstIndex(of: "time"), let b = names.firstIndex(of: "busy_cores") else {
            throw CalibrationError("expected a header with the columns time and busy_cores, got '\(lines[headerIndex])'", file: file, line: headerIndex + 1)
        }
        var rows: [(Double, Double)] = []
        for (i, line) in lines.enumerated().dropFirst(headerIndex + 1) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == names.count else { throw CalibrationError("a row has \(cells.count) fields, the header \(names.count)", file: file, line: i + 1) }
            guard let time = Self.time(cells[t]) else { throw CalibrationError("'\(cells[t])' is not a time (ISO 8601 or seconds since 1970)", file: file, line: i + 1) }
            guard let busy = Double(cells[b]), busy.isFinite, busy >= 0 else { throw CalibrationError("'\(cells[b])' is not a number of busy cores", file: file, line: i + 1) }
            if let last = rows.last, time <= last.0 { throw CalibrationError("the times do not increase (\(cells[t]))", file: file, line: i + 1) }
            rows.append((time, busy))
        }
        guard rows.count >= 2 else { throw CalibrationError("fewer than two samples", file: file) }
        return zip(rows, rows.dropFirst()).map { (start: $0.0, end: $1.0, busy: $0.1) }
    }

    static func time(_ s: String) -> Double? {
        if let x = Double(s), x > 9e8, x < 5e9 { return x }
        var bytes = Array(s.utf8)
        return bytes.withUnsafeMutableBufferPointer { JSONLogParser.isoTime(UnsafeBufferPointer($0), 0..<$0.count) }
    }

    /// Fits busy cores against the requests per second the log shows in each interval
    /// (counted by the minute the request arrived in, so intervals of a minute or more).
    public static func estimate(series: [(start: Double, end: Double, busy: Double)], perMinute: [Int: Int], file: String) throws -> DemandEstimation {
        var xs: [Double] = [], ys: [Double] = []
        for s in series where s.end - s.start >= 59 {
            let first = Int((s.start / 60).rounded()), last = Int((s.end / 60).rounded())
            guard last > first else { continue }
            var n = 0
            for m in first..<last { n += perMinute[m] ?? 0 }
            xs.append(Double(n) / (s.end - s.start))
            ys.append(s.busy)
        }
        guard xs.count >= 10 else {
            throw CalibrationError("fewer than 10 intervals of a minute or more overlap the access log (\(xs.count)): the series must cover the log's period", file: file)
        }
        func fit(_ idx: [Int]) -> (d: Double, u0: Double)? {
            let n = Double(idx.count)
            let mx = idx.reduce(0) { $0 + xs[$1] } / n, my = idx.reduce(0) { $0 + ys[$1] } / n
            var sxx = 0.0, sxy = 0.0
            for i in idx { sxx += (xs[i] - mx) * (xs[i] - mx); sxy += (xs[i] - mx) * (ys[i] - my) }
            guard sxx > 1e-12 * idx.reduce(0, { $0 + xs[$1] * xs[$1] }) else { return nil }
            let d = sxy / sxx
            return (d, my - d * mx)
        }
        let all = Array(xs.indices)
        guard let point = fit(all) else {
            throw CalibrationError("the request rate does not vary over the intervals: CPU per request and background load cannot be told apart", file: file)
        }
        let mean = ys.reduce(0, +) / Double(ys.count)
        let total = ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let residual = all.reduce(0.0) { $0 + pow(ys[$1] - point.u0 - point.d * xs[$1], 2) }
        // Moving-block bootstrap: blocks of about n^(1/3) consecutive intervals.
        let block = Swift.max(1, Int(pow(Double(xs.count), 1.0 / 3).rounded()))
        var rng = Xoshiro256StarStar(seed: 0xDE3A_4D)
        var draws: [Double] = []
        for _ in 0..<Resampling.replicates {
            var idx: [Int] = []
            while idx.count < xs.count {
                let start = rng.nextInt(below: xs.count - block + 1)
                idx += (start..<(start + block))
            }
            if let f = fit(Array(idx.prefix(xs.count))) { draws.append(f.d) }
        }
        let interval = Resampling.interval(draws) ?? (point.d, point.d)
        return DemandEstimation(demand: point.d, low: Swift.min(interval.low, point.d), high: Swift.max(interval.high, point.d),
                                background: point.u0, intervals: xs.count, rSquared: total > 0 ? 1 - residual / total : 0)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
