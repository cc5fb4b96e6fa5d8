import Calibration
import ExperimentRunner
import Formatting
import Foundation
import ModelFiles
import ModelSchema
import PlatformModel
import Reports
import ResultsStore
import SimulationEngine

/// The calibration notebook: a log calibrated, the overlay's values beside the assumptions they
/// replace with their intervals, and an experiment (the roadmap) run with the assumed model and
/// with the calibrated overlay side by side, with what changed and why written from the numbers.
public struct CalibrationNotebook {
    public struct Input {
        public var command: String
        public var logDescription: String
        public var result: CalibrationResult
        public var overlayPath: String
        public var assumed: PlatformModel
        public var experiment: Experiment
        public var assumedSummary: ExperimentSummary
        public var calibratedSummary: ExperimentSummary
        public init(command: String, logDescription: String, result: CalibrationResult, overlayPath: String, assumed: PlatformModel,
                    experiment: Experiment, assumedSummary: ExperimentSummary, calibratedSummary: ExperimentSummary) {
            self.command = command; self.logDescription = logDescription; self.result = result; self.overlayPath = overlayPath
            self.assumed = assumed; self.experiment = experiment; self.assumedSummary = assumedSummary; self.calibratedSummary = calibratedSummary
        }
    }

    /// Runs `experiment` with the model as it is and with `overlay` added, each into its own
    /// temporary results database, and returns both summaries.
    public static func runBoth(_ experiment: Experiment, overlay: String, programVersion: String, jobs: Int) throws -> (assumed: ExperimentSummary, calibrated: ExperimentSummary) {
        var calibrated = experiment
        calibrated.name = experiment.name + "-calibrated"
        calibrated.overlays.append(overlay)
        calibrated.overlayPaths.append(overlay)
        var summaries: [ExperimentSummary] = []
        for e in [experiment, calibrated] {
            let plan = try SweepPlan.prepare(e, programVersion: programVersion)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("platform-sim-calibration-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let db = try ResultsDatabase(path: folder + "/results.sqlite")
            _ = try db.begin(plan.record, replacing: true)
            try SweepRunner.run(plan.cells, into: db, jobs: jobs)
            guard let results = try db.results(experiment: e.name) else { throw CalibrationError("the results database lost the experiment", file: folder) }
            summaries.append(ExperimentSummary(results))
        }
        return (summaries[0], summaries[1])
    }

    public let input: Input
    public init(_ input: Input) { self.input = input }

    func code(_ s: String) -> String { "`" + s + "`" }

    public func render() -> String {
        let r = input.result
        var out = "# Calibration: the platform's own measurements in place of the assumptions\n\n"
        out += "**The question.** `Models/platform.yaml` rests on assumptions for the numbers that decide the headline answers (requests per active user, "
        out += "the daily-active share, the diurnal profile, the endpoint mix, offices behind shared IPs, how skewed activity is). What does a platform's "
        out += "own access log say about them, how sure is it, and how does the roadmap's answer change when the model runs on the measurements?\n\n"
        out += "**The log.** \(input.logDescription)\n\n"
        out += "**Made by** (from the project root, after `swift build -c release`; `Notebooks/calibration.sh` makes the log and runs it):\n\n"
        out += "```sh\n\(input.command)\n```\n\n"
        out += trafficSection()
        out += parameterSection()
        out += skippedSection()
        out += headlineSection()
        out += uncertaintySection()
        return out
    }

    func fmt(_ x: Double, _ digits: Int = 3) -> String {
        guard x.isFinite else { return "-" }
        if abs(x) >= 1000 { return Format.grouped(Int(saturating: x.rounded())) }
        return String(format: "%.\(digits)g", x)
    }

    func trafficSection() -> String {
        guard let t = input.result.traffic else { return "" }
        var out = "## What the log shows\n\n"
        out += "\(Format.grouped(t.parsedLines)) requests from \(t.firstArrival.iso) to \(t.lastArrival.iso) (\(t.wholeDays) whole UTC day\(t.wholeDays == 1 ? "" : "s")); "
        out += t.unparsed.count == 0 ? "every line parsed. " : "\(Format.grouped(t.unparsed.count)) lines did not parse and are listed in the overlay's header. "
        out += "The session stream (requests with a user id) is \(Format.grouped(t.sessionRequests)) requests, unauthenticated traffic \(Format.grouped(t.unauthenticatedRequests)), "
        out += "static assets \(Format.grouped(t.staticAssets)), webhooks \(Format.grouped(t.webhooks)), health checks \(Format.grouped(t.healthChecks)).\n\n"
        if let seen = t.seenUsersPerDay, let pool = t.activePoolPerDay {
            out += "- **Users.** \(Format.grouped(Int(saturating: seen.rounded()))) users appear in a day, but the model's daily-active pool is larger: a user with no session that day "
            out += "leaves no line. Fitting the spread of requests per user (the model's lognormal activity weights and Poisson sessions) restores the unseen ones: "
            out += "a pool of \(Format.grouped(Int(saturating: pool.rounded()))) a day, \(fmt((pool / seen - 1) * 100, 2))% more than the users seen.\n"
        }
        if !t.sessionGap.isNaN {
            out += "- **Sessions.** Requests of one user less than \(fmt(t.pageGap)) s apart are one page view; the gap that ends a session is chosen from the data, "
            out += "where a two-component mixture of log gaps (think times and gaps between sessions) crosses: \(Format.grouped(Int(saturating: t.sessionGap.rounded()))) s. "
            if let m = t.mergedSessionShare { out += "That rule merges sessions that start inside or just after another of the same user's; \(fmt(m * 100, 2))% of sessions were restored from such merges." }
            out += "\n"
        }
        if let m = t.busiestMinute {
            out += "- **Busiest minute** \(m.start.iso): \(Format.grouped(m.requests)) requests (\(fmt(Double(m.requests) / 60)) a second)"
            if !m.hourMean.isNaN { out += ", \(fmt(Double(m.requests) / m.hourMean)) times the mean minute of its hour" }
            if let d = t.minuteDispersion { out += "; the minute counts of the busiest hour vary \(fmt(d)) times as much as Poisson arrivals would, because a page view fires several calls and a session several page views" }
            out += ".\n"
        }
        return out + "\n"
    }

    func parameterSection() -> String {
        let r = input.result
        var out = "## The overlay: measured values with their 95% intervals\n\n"
        out += "The overlay (`\(input.overlayPath)`) sets each value below with a `measured:` comment in place of `assumption`; the notebooks' parameter tables label them *measured*. "
        out += "Intervals come from a Poisson bootstrap over users (\(Resampling.replicates) replicates; user-less requests resampled one by one), so they carry the clustering of requests "
        out += "into page views, sessions and users; the overlay keeps \(TrafficCalibration.drawCount) joint replicates as draws for runs with parameter uncertainty.\n\n"
        var t = TextTable(["parameter", "assumed", "measured", "95% interval", "samples"], alignments: [.left, .left, .left, .left, .right])
        let assumed = assumedValues()
        for p in r.parameters {
            if p.keyPath == "traffic.diurnalWeights" || !p.entries.isEmpty { continue }
            let m = p.measurements.first
            t.add([code(p.keyPath), assumed[p.keyPath].map(code) ?? "-", code(p.value ?? ""),
                   m.map { "\(fmt($0.low, 4)) to \(fmt($0.high, 4))" } ?? "-", m.map { Format.grouped($0.samples) } ?? "-"])
        }
        out += t.markdown() + "\n"
        if let d = r.parameters.first(where: { $0.keyPath == "traffic.diurnalWeights" }) {
            let w = input.assumed.traffic.diurnalWeights
            let mean = w.reduce(0, +) / 24
            var h = TextTable(["hour (UTC)", "assumed", "measured", "95% interval"], alignments: [.right, .right, .right, .left])
            for (i, m) in d.measurements.enumerated() {
                h.add(["\(i)", fmt(w[i] / mean), fmt(m.value), "\(fmt(m.low)) to \(fmt(m.high))"])
            }
            let peakAssumed = (w.max() ?? 0) / mean, peakMeasured = d.measurements.map(\.value).max() ?? 0
            out += "**The diurnal profile** (relative to the day's mean): the busiest hour runs at \(fmt(peakMeasured)) times the mean, against \(fmt(peakAssumed)) assumed. "
            out += "The peak hour is what every run of the roadmap simulates, so this ratio scales every load figure.\n\n" + h.markdown() + "\n"
        }
        for p in r.parameters where !p.entries.isEmpty {
            let names = input.assumed.endpoints.map(\.name)
            let mix = p.keyPath.hasSuffix("unauthenticatedMix") ? input.assumed.traffic.unauthenticatedMix : input.assumed.traffic.authenticatedMix
            let total = mix.reduce(0) { $0 + $1.weight }
            var m = TextTable(["endpoint", "assumed share", "measured", "95% interval"], alignments: [.left, .right, .right, .left])
            for e in p.entries {
                let a = mix.first { names[$0.endpoint] == e.name }.map { $0.weight / total }
                let x = p.measurements.first { $0.name.hasSuffix("." + e.name) }
                m.add([code(e.name), a.map { fmt($0, 3) } ?? "-", e.value, x.map { "\(fmt($0.low, 3)) to \(fmt($0.high, 3))" } ?? "-"])
            }
            out += "**\(code(p.keyPath))**\n\n" + m.markdown() + "\n"
        }
        return out
    }

    /// The assumed model's value of each key the calibration sets, as a model file writes it.
    func assumedValues() -> [String: String] {
        let t = input.assumed.traffic
        func spec(_ d: Distribution) -> String {
            switch d {
            case .exponential(let m): return "exp:\(fmt(m, 4))"
            default: return "mean \(fmt(d.mean, 4)), CV \(fmt(d.squaredCV.squareRoot(), 3))"
            }
        }
        var v: [String: String] = [
            "traffic.dailyActiveFraction": fmt(t.dailyActiveFraction, 4), "traffic.sessionsPerActiveUserPerDay": fmt(t.sessionsPerActiveUserPerDay, 4),
            "traffic.pageViewsPerSession": fmt(t.pageViewsPerSession, 4), "traffic.apiCallsPerPageView": "\(t.apiCallsPerPageView)",
            "traffic.thinkTimeS": spec(t.thinkTime), "traffic.activityWeight": spec(t.activityWeight),
            "traffic.officeUserFraction": fmt(t.officeUserFraction, 4), "traffic.officeSize": spec(t.officeSize),
            "traffic.staticAssetsPerPageView": fmt(t.staticAssetsPerPageView, 4),
            "traffic.unauthenticatedRequestsPerUserPerDay": fmt(t.unauthenticatedRequestsPerUserPerDay, 4),
            "traffic.webhooksPerUserPerDay": fmt(t.webhooksPerUserPerDay, 4), "traffic.unauthenticatedIPsPerUser": fmt(t.unauthenticatedIPsPerUser, 4),
            "redis.commandTimeUs": spec(input.assumed.redis.commandTime.scaled(by: 1e6)), "redis.scriptTimeUs": spec(input.assumed.redis.scriptTime.scaled(by: 1e6)),
        ]
        for e in input.assumed.endpoints { if let l = e.requestedLimit { v["endpoints.\(e.name).requestedLimit"] = "mean \(fmt(l.mean, 4))" } }
        for q in input.assumed.database.queries { v["database.queries.\(q.name).statementCpuMs"] = spec(q.statementCPU.scaled(by: 1000)) }
        return v
    }

    func skippedSection() -> String {
        guard !input.result.skipped.isEmpty else { return "" }
        var out = "### Left as the model has them\n\n"
        for s in input.result.skipped { out += "- \(code(s.keyPath)): \(s.reason).\n" }
        return out + "\n"
    }

    func headlineSection() -> String {
        let a = input.assumedSummary, c = input.calibratedSummary
        var out = "## The roadmap's headline, assumed and calibrated\n\n"
        out += "`\(input.experiment.file)` run twice with the same seeds: with `Models/platform.yaml` as it is, and with the calibrated overlay applied after each phase's overlays "
        out += "(the phases' own changes stay). SLO: p99 <= \(fmt(a.sloP99Ms, 4)) ms and errors <= \(fmt(a.sloErrorRate * 100, 3))%.\n\n"
        var t = TextTable(["configuration", "largest users within SLO, assumed", "calibrated", "first failing: assumed", "calibrated"],
                          alignments: [.left, .right, .right, .left, .left])
        var changes: [String] = []
        for config in a.configurations {
            guard let x = a.slo.first(where: { $0.configuration == config }), let y = c.slo.first(where: { $0.configuration == config }) else { continue }
            func users(_ n: Int?) -> String { n.map { Format.grouped($0) } ?? "none" }
            func failing(_ s: SLOSummary) -> String {
                guard let n = s.firstFailingUsers else { return "none up to \(Format.grouped(a.userCounts.last ?? 0))" }
                return "\(Format.grouped(n)): \(s.failsOn ?? "") (\(s.stoppedBy ?? "?"))"
            }
            t.add([code(config), users(x.largestUsersMeetingSLO), users(y.largestUsersMeetingSLO), failing(x), failing(y)])
            if x.largestUsersMeetingSLO != y.largestUsersMeetingSLO || x.stoppedBy != y.stoppedBy {
                let assumed = x.largestUsersMeetingSLO.map { "\(Format.grouped($0)) users" } ?? "no user count tested"
                var s = "**\(config)**: \(assumed) within the SLO assumed, \(users(y.largestUsersMeetingSLO)) calibrated"
                if let n = y.firstFailingUsers, let cell = c.cells.first(where: { $0.configuration == config && $0.users == n }) {
                    s += "; calibrated, at \(Format.grouped(n)) users \(cell.bottleneckComponent) limits it (\(cell.bottleneckReason)), p99 \(fmt(cell.p99Ms, 4)) ms, errors \(fmt(cell.errorRate * 100, 3))%"
                    if let same = a.cells.first(where: { $0.configuration == config && $0.users == n }) {
                        s += ", where the assumed model had \(same.bottleneckComponent), p99 \(fmt(same.p99Ms, 4)) ms and errors \(fmt(same.errorRate * 100, 3))%"
                    }
                }
                changes.append(s + ".")
            }
        }
        out += t.markdown() + "\n"
        out += "### What changed and why\n\n"
        let at = input.assumed.traffic
        let r = input.result.parameters
        func value(_ key: String) -> Double? { r.first { $0.keyPath == key }?.measurements.first?.value }
        if let daf = value("traffic.dailyActiveFraction"), let sessions = value("traffic.sessionsPerActiveUserPerDay") {
            let pages = value("traffic.pageViewsPerSession") ?? at.pageViewsPerSession
            let calls = r.first { $0.keyPath == "traffic.apiCallsPerPageView" }?.value.flatMap(Double.init) ?? Double(at.apiCallsPerPageView)
            let rpu = sessions * pages * (calls + at.pollingCallsPerPageView)
            let assumedDaily = at.dailyActiveFraction * at.requestsPerActiveUserPerDay, measuredDaily = daf * rpu
            out += "- **Volume.** Session requests per registered user per day: \(fmt(measuredDaily, 3)) measured (\(fmt(daf, 3)) active x \(fmt(rpu, 3)) each) against \(fmt(assumedDaily, 3)) assumed (\(fmt(at.dailyActiveFraction, 3)) x \(fmt(at.requestsPerActiveUserPerDay, 3))): \(fmt(measuredDaily / assumedDaily, 3)) times the daily load.\n"
        }
        if let d = r.first(where: { $0.keyPath == "traffic.diurnalWeights" }) {
            let w = at.diurnalWeights, mean = w.reduce(0, +) / 24
            let peakM = d.measurements.map(\.value).max() ?? 0, peakA = (w.max() ?? 0) / mean
            out += "- **Peak.** The busiest hour carries \(fmt(peakM, 3)) times the daily mean rate measured, \(fmt(peakA, 3)) assumed, so the simulated peak hour is \(fmt(peakM / peakA, 3)) times heavier per unit of daily volume.\n"
        }
        if let f = value("traffic.officeUserFraction"), let s = r.first(where: { $0.keyPath == "traffic.officeSize" })?.measurements.first?.value {
            out += "- **Shared IPs.** \(fmt(f * 100, 3))% of active users sit behind office IPs of \(fmt(s, 3)) users on average (assumed \(fmt(at.officeUserFraction * 100, 3))% and \(fmt(at.officeSize.mean, 3))): the per-IP limit of today's platform sees that many users as one client, which is where false 429s come from.\n"
        }
        if let cv = r.first(where: { $0.keyPath == "traffic.activityWeight" })?.measurements.first?.value {
            out += "- **Power users.** Per-user activity has a CV of \(fmt(cv, 3)) measured, \(fmt(at.activityWeight.squaredCV.squareRoot(), 3)) assumed: the heaviest users are the ones per-user limits catch.\n"
        }
        out += "\n"
        out += changes.isEmpty ? "The largest user counts within the SLO are the same with and without the calibration.\n\n" : changes.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
        return out
    }

    func uncertaintySection() -> String {
        """
        ## Carrying the measurements' uncertainty

        Each measured number in the overlay carries its interval and \(TrafficCalibration.drawCount) joint draws (draw i of every number from the same bootstrap replicate, so that the \
        daily-active pool and requests per user, estimated together, move together). `platform-sim run ... --overlay OVERLAY --replications R --parameter-uncertainty` \
        draws them anew for each replication (and sizes capacity for the traffic drawn), and an experiment file with `parameterUncertainty: true` does the same \
        for its seeds or replications; the confidence half-widths then hold the measurements' uncertainty as well as seed-to-seed noise, and comparing them \
        with a run without the flag shows how much of a result's spread comes from the measurements.

        """
    }
}

extension Double {
    /// `2026-11-20T14:03:00Z` for seconds since 1970.
    var iso: String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: self))
    }
}
