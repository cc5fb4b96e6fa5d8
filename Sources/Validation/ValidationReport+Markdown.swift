import Foundation
import PlatformModel

extension ValidationReport {
    /// The notebook's markdown; charts are referenced as `FOLDER/NAME.svg` (see ``charts(folder:)``).
    public func markdown(chartFolder: String) -> String {
        var o = "# Validation against a real running platform\n\n"
        o += """
            The simulator's predictions set beside measurements of a real miniature of the platform (the testbed, \
            `Testbed/`: Express with node-pg, Redis, PostgreSQL 15, PgBouncer 1.18, provider stubs and a job worker, built \
            from Debian's packages on this machine). Each load level is one trace written by `platform-sim trace`: the \
            same requests (time, user, tier, IP, endpoint, page size) were sent open-loop to the testbed by the replayer \
            and run through the simulator with the testbed's topology and measured service times \
            (`Models/testbed/topology.yaml`, `Models/testbed/service-times.yaml`). Nothing in the model was fitted at the \
            levels judged here: service times come from one-client measurements (`Testbed/measure.sh`).

            Written by the program (`\(command)`); `Testbed/validate.sh` measures again and rewrites it.


            """
        o += whatWasRun()
        o += targetsTable()
        o += repeatTable()
        o += saturationTable()
        for c in configurations { o += section(c, chartFolder: chartFolder) }
        o += errorTable()
        o += misses()
        o += mechanisms()
        return o
    }

    static func pct(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "n/a" }
        return String(format: "%+.1f%%", x * 100)
    }
    static func num(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
    static func ms(_ x: Double) -> String { x >= 100 ? String(format: "%.0f", x) : x >= 10 ? String(format: "%.1f", x) : String(format: "%.2f", x) }
    /// A level's name: its share of the capacity found, or its rate scale when none was searched for.
    func label(_ l: Level) -> String {
        if l.run.level.baseline { return "low load" }
        return l.run.level.capacityRateScale > 0 ? String(format: "%.0f%%", l.run.level.loadShare * 100) : "x" + Self.num(l.run.trace.header.rateScale, 1)
    }

    func whatWasRun() -> String {
        var o = "## What was run\n\n"
        guard let any = configurations.first?.levels.first else { return o + "No runs.\n\n" }
        let h = any.run.trace.header
        o += "- \(h.users) users seeded and all active, seed \(h.seed), each level a trace of \(Self.num(h.warmUpSeconds, 0)) s warm-up and \(Self.num(h.durationSeconds, 0)) s measured (the 1-minute limiter windows and the 60 s dashboard TTL turn over in the warm-up).\n"
        o += "- Model: `\(h.modelFile)` with overlays \(h.overlays.map { "`\($0)`" }.joined(separator: ", ")); platform-sim \(h.programVersion).\n"
        o += "- Load levels are shares of the capacity `Testbed/validate.sh` found for each configuration (the highest rate scale at which the testbed kept the p99 of the requests it answers alone, the endpoints that wait on no provider, under 10x its low-load value and errors other than 429s under 1%), not typed in.\n"
        o += "- Predictions: the mean of \(replications) replications (replication 0 is the run the trace came from; the others draw other traffic of the same rates and other service times); throughput and 429s are the trace's own run, counted on the same requests as the measurement (a limiter's decisions are a function of the requests: other traffic of the same rates meets the limits at other moments and other users).\n"
        if modelChanged {
            o += "- The model files changed after the traces were replayed (service times measured again or a mechanism added, see the end): every trace's requests were checked to be the model's own, record by record, so the predictions are of the very requests measured.\n"
        }
        o += "- Both sides start cold: the trace without traffic history (`--cold-start`), the testbed with Redis emptied and the API's in-process caches cleared before each replay.\n\n"
        o += "The replayer's own overhead (it shares the database's core): CPU per request, and how late it sent requests against the trace's times; and the seconds the hypervisor stole from the machine's cores in the measured window (a stall of the whole machine, not of the testbed; - where the replayer did not record it).\n\n"
        o += "| configuration | level | offered req/s | replayer CPU per request | late p50 | late p99 | late max | unanswered | stolen |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for c in configurations {
            for l in c.levels {
                let r = l.run.measurement.servers.replayer
                let stolen = l.run.measurement.servers.stolenSeconds.map { Self.num($0, 2) + " s" } ?? "-"
                o += "| \(c.name) | \(label(l)) | \(Self.num(l.measured.offeredPerSecond)) | \(Self.num(r.cpuMsPerRequest, 3)) ms | \(Self.num(r.latenessP50Ms, 2)) ms | \(Self.num(r.latenessP99Ms, 2)) ms | \(Self.num(r.latenessMaxMs, 1)) ms | \(r.unfinished) | \(stolen) |\n"
            }
        }
        return o + "\n"
    }

    func targetsTable() -> String {
        var o = "## The targets\n\n"
        o += "Relative error of the prediction (predicted - measured) / measured. Throughput within 4%, mean within 10%, p95 and p99 within 20% are judged below the measured saturation level; errors by kind at every level (each kind within 20% of the measured count or 0.2 points of requests). A miss is marked **MISS**.\n\n"
        o += "| configuration | level | offered req/s | throughput | mean | p95 | p99 | errors by kind |\n|---|---|---:|---:|---:|---:|---:|---|\n"
        for c in configurations {
            let sat = saturationLevel(c, measured: true) ?? c.judged.count
            for (i, l) in c.judged.enumerated() {
                let below = i < sat
                func cell(_ p: Double, _ m: Double, _ target: Double) -> String {
                    let e = Self.relative(p, m)
                    let text = Self.pct(e)
                    guard below else { return text + " (saturated)" }
                    return (e.map { abs($0) <= target } ?? false) ? text : "**MISS** " + text
                }
                let misses = Self.errorMisses(l)
                o += "| \(c.name) | \(label(l)) | \(Self.num(l.measured.offeredPerSecond)) | \(cell(l.predicted.throughput, l.measured.throughput, Self.throughputTarget)) | \(cell(l.predicted.meanMs, l.measured.meanMs, Self.meanTarget)) | \(cell(l.predicted.p95Ms, l.measured.p95Ms, Self.tailTarget)) | \(cell(l.predicted.p99Ms, l.measured.p99Ms, Self.tailTarget)) | \(misses.isEmpty ? "within" : "**MISS** " + misses.joined(separator: ", ")) |\n"
            }
        }
        return o + "\n"
    }

    /// The levels measured twice: the second measurement against the first, beside the
    /// prediction's error against the first (empty when no level was repeated).
    func repeatTable() -> String {
        let twice = configurations.flatMap { c in c.levels.compactMap { l in l.repeated.map { (c, l, $0) } } }
        guard !twice.isEmpty else { return "" }
        var o = "## The testbed against itself\n\n"
        o += "`Testbed/validate.sh` replays one level of each configuration a second time after the others: the same trace on the same testbed, Redis and the API's caches emptied before each replay and the database as the levels in between left it. The second measurement against the first, (second - first) / first, beside the prediction's error against the first: where the testbed's own two measurements differ by more than a target's tolerance, a miss of that size says as much about the measurement as about the model.\n\n"
        o += "| configuration | level | mean, first / second | p95 | p99 | prediction against the first: mean, p95, p99 | stolen, first / second |\n|---|---|---|---|---|---|---|\n"
        var spread: [(mean: Double, p95: Double, p99: Double)] = []
        for (c, l, again) in twice {
            let m = l.measured
            func cell(_ a: Double, _ b: Double) -> String { "\(Self.ms(a)) / \(Self.ms(b)) ms (\(Self.pct(Self.relative(b, a))))" }
            let stolen = [l.run.measurement.servers.stolenSeconds, l.repeatedStolenSeconds].map { $0.map { Self.num($0, 2) + " s" } ?? "-" }
            o += "| \(c.name) | \(label(l)) | \(cell(m.meanMs, again.meanMs)) | \(cell(m.p95Ms, again.p95Ms)) | \(cell(m.p99Ms, again.p99Ms)) | \(Self.pct(Self.relative(l.predicted.meanMs, m.meanMs))), \(Self.pct(Self.relative(l.predicted.p95Ms, m.p95Ms))), \(Self.pct(Self.relative(l.predicted.p99Ms, m.p99Ms))) | \(stolen[0]) / \(stolen[1]) |\n"
            if let a = Self.relative(again.meanMs, m.meanMs), let b = Self.relative(again.p95Ms, m.p95Ms), let d = Self.relative(again.p99Ms, m.p99Ms) {
                spread.append((a, b, d))
            }
        }
        if !spread.isEmpty {
            func range(_ xs: [Double]) -> String { "\(Self.pct(xs.min()!)) to \(Self.pct(xs.max()!))" }
            o += "\nThe second measurement against the first, over the \(spread.count) repeated levels: means \(range(spread.map(\.mean))), p95s \(range(spread.map(\.p95))), p99s \(range(spread.map(\.p99))).\n"
        }
        return o + "\n"
    }

    func saturationTable() -> String {
        var o = "## The saturation point\n\nThe first level where the p99 of the requests the platform answers alone exceeds 10 times its low-load value, or errors other than 429s exceed 1% of requests. The requests that wait on a provider (the LLM's seconds, Mailgun's hundreds of milliseconds) are left out of that p99: where 2% of the mix waits 9 s on the LLM, the mix's p99 is the LLM's at any load, and whether a short run caught one of those requests is chance.\n\n"
        o += "| configuration | left out (wait on a provider) | low-load p99 of the rest, measured / predicted | measured saturates at | predicted saturates at | same level |\n|---|---|---|---|---|---|\n"
        for c in configurations {
            let m = saturationLevel(c, measured: true), p = saturationLevel(c, measured: false)
            let name = { (i: Int?) in i.map { self.label(c.judged[$0]) } ?? "not within the levels run" }
            let base = c.baseline.map { "\(Self.ms($0.measured.platformP99Ms)) / \(Self.ms($0.predicted.platformP99Ms)) ms" } ?? "no low-load run"
            let left = c.waitsOnProvider.isEmpty ? "none" : c.waitsOnProvider.sorted().joined(separator: ", ")
            o += "| \(c.name) | \(left) | \(base) | \(name(m)) | \(name(p)) | \(m == p ? "yes" : "**MISS**") |\n"
        }
        return o + "\n"
    }

    func section(_ c: Configuration, chartFolder: String) -> String {
        var o = "## `\(c.name)`\n\n"
        o += "![latency](\(chartFolder)/\(c.name)-latency.svg)\n\n![throughput and errors](\(chartFolder)/\(c.name)-errors.svg)\n\n"
        o += "Latency in ms, measured / predicted (relative error).\n\n"
        o += "| level | offered req/s | throughput req/s | mean | p50 | p95 | p99 |\n|---|---:|---|---|---|---|---|\n"
        for l in c.levels {
            let m = l.measured, p = l.predicted
            func cell(_ a: Double, _ b: Double, _ f: (Double) -> String) -> String { "\(f(a)) / \(f(b)) (\(Self.pct(Self.relative(b, a))))" }
            o += "| \(label(l)) | \(Self.num(m.offeredPerSecond)) | \(cell(m.throughput, p.throughput) { Self.num($0) }) | \(cell(m.meanMs, p.meanMs, Self.ms)) | \(cell(m.p50Ms, p.p50Ms, Self.ms)) | \(cell(m.p95Ms, p.p95Ms, Self.ms)) | \(cell(m.p99Ms, p.p99Ms, Self.ms)) |\n"
        }
        o += endpointTable(c)
        o += "\n![servers](\(chartFolder)/\(c.name)-servers.svg)\n"
        o += "\nServers, measured / predicted (relative error): cores of CPU, Postgres's active backends, queries waiting for the API's pool, cache hit ratios. The API and Postgres each have one core; the pool is sampled once a second (- where a run did not sample it).\n\n"
        let caches = Set(c.levels.flatMap { Array($0.measured.cacheHitRatio.keys) + Array($0.predicted.cacheHitRatio.keys) }).sorted()
        o += "| level | API CPU | Postgres CPU | active backends | API pool waiting |" + caches.map { " \($0) hits |" }.joined() + "\n|---|---|---|---|---|" + caches.map { _ in "---|" }.joined() + "\n"
        for l in c.levels {
            let m = l.measured, p = l.predicted
            func pair(_ a: Double, _ b: Double) -> String { "\(Self.num(a, 2)) / \(Self.num(b, 2)) (\(Self.pct(Self.relative(b, a))))" }
            // A figure one side may lack: "-" for it, and no relative error.
            func maybe(_ a: Double?, _ b: Double?, _ f: (Double) -> String) -> String {
                let err = a.flatMap { x in b.flatMap { Self.relative($0, x) } }
                return "\(a.map(f) ?? "-") / \(b.map(f) ?? "-")\(err.map { " (\(Self.pct($0)))" } ?? "")"
            }
            o += "| \(label(l)) | \(pair(m.apiCPU, p.apiCPU)) | \(pair(m.postgresCPU, p.postgresCPU)) | \(pair(m.postgresActive, p.postgresActive)) | \(maybe(m.apiPoolWaiting, p.apiPoolWaiting) { Self.num($0, 2) }) |"
            for k in caches {
                o += " \(maybe(m.cacheHitRatio[k], p.cacheHitRatio[k]) { Self.num($0 * 100, 1) + "%" }) |"
            }
            o += "\n"
        }
        return o + "\n"
    }

    /// The busiest endpoints' p50 and p95 at the levels below the measured saturation: the
    /// mix's mean is weighted by the endpoints of seconds (the LLM, Mailgun), and can be within
    /// its target while every endpoint of milliseconds misses.
    func endpointTable(_ c: Configuration) -> String {
        let end = saturationLevel(c, measured: true) ?? c.judged.count
        let levels = (c.baseline.map { [$0] } ?? []) + c.judged.prefix(end)
        guard let first = levels.first else { return "" }
        let names = first.measured.endpoints.sorted { ($0.value.requests, $1.key) > ($1.value.requests, $0.key) }.prefix(Self.endpointRows).map(\.key)
        guard !names.isEmpty else { return "" }
        var o = "\n`\(c.name)`'s \(names.count) busiest endpoints at each level below its measured saturation: p50 and p95 in ms, measured / predicted (every answered request, errors among them).\n\n"
        o += "| endpoint |" + levels.map { " \(label($0)) p50 | p95 |" }.joined() + "\n|---|" + levels.map { _ in "---|---|" }.joined() + "\n"
        for name in names {
            o += "| \(name) |"
            for l in levels {
                guard let m = l.measured.endpoints[name], let p = l.predicted.endpoints[name] else { o += " - | - |"; continue }
                o += " \(Self.ms(m.p50Ms)) / \(Self.ms(p.p50Ms)) | \(Self.ms(m.p95Ms)) / \(Self.ms(p.p95Ms)) |"
            }
            o += "\n"
        }
        return o
    }

    /// How many endpoints ``endpointTable(_:)`` shows.
    static let endpointRows = 10

    func errorTable() -> String {
        var o = "## Errors per configuration and load level\n\nCounts in the measured window, measured / predicted (the prediction scaled to the measured number of requests); kinds with none on either side are left out. A kind outside its tolerance is marked **MISS**.\n\n"
        o += "| configuration | level | requests | errors, measured / predicted |\n|---|---|---:|---|\n"
        for c in configurations {
            for l in c.levels {
                let misses = Set(Self.errorMisses(l))
                let scale = l.predicted.requests > 0 ? Double(l.measured.requests) / Double(l.predicted.requests) : 0
                var cells: [String] = []
                for k in LevelFigures.errorKinds {
                    let m = l.measured.errors[k] ?? 0
                    let p = Int((Double(l.predicted.errors[k] ?? 0) * scale).rounded())
                    guard m > 0 || p > 0 else { continue }
                    cells.append("\(misses.contains(k) ? "**MISS** " : "")\(k) \(m) / \(p)")
                }
                o += "| \(c.name) | \(label(l)) | \(l.measured.requests) | \(cells.isEmpty ? "none" : cells.joined(separator: "; ")) |\n"
            }
        }
        return o + "\n"
    }

    /// Each missed target with the server-side figures that say where the time went.
    func misses() -> String {
        var o = "## Where the prediction misses, and what the servers say\n\n"
        var any = false
        for c in configurations {
            let sat = saturationLevel(c, measured: true) ?? c.judged.count
            for (i, l) in c.judged.enumerated() where i < sat {
                let m = l.measured, p = l.predicted
                var missed: [String] = []
                if let e = Self.relative(p.meanMs, m.meanMs), abs(e) > Self.meanTarget { missed.append("mean \(Self.pct(e))") }
                if let e = Self.relative(p.p99Ms, m.p99Ms), abs(e) > Self.tailTarget { missed.append("p99 \(Self.pct(e))") }
                if let e = Self.relative(p.throughput, m.throughput), abs(e) > Self.throughputTarget { missed.append("throughput \(Self.pct(e))") }
                guard !missed.isEmpty else { continue }
                any = true
                let apiPer = m.apiCPUPerRequestMs ?? 0, apiPred = p.apiCPUPerRequestMs ?? 0
                let pgPer = m.postgresCPUPerRequestMs ?? 0, pgPred = p.postgresCPUPerRequestMs ?? 0
                // Runs before the replayer counted Redis's and PgBouncer's wrapped processes read 0 for them.
                let cpu = l.run.measurement.servers.cpuSeconds
                let uncounted = ["redis", "pgbouncer"].filter { cpu[$0] != nil && cpu[$0] == 0 }
                let note = uncounted.isEmpty ? "" : " without \(uncounted.joined(separator: " and ")) (not counted by this run's replayer)"
                o += "- `\(c.name)` at \(label(l)): \(missed.joined(separator: ", ")). API CPU per request measured \(Self.num(apiPer, 3)) ms, predicted \(Self.num(apiPred, 3)) ms; Postgres CPU per request measured \(Self.num(pgPer, 3)) ms, predicted \(Self.num(pgPred, 3)) ms; the other work on the database's core \(Self.num(m.colocatedCPU, 2)) cores measured\(note), \(Self.num(p.colocatedCPU, 2)) predicted.\n"
            }
        }
        if !any { o += "Every latency and throughput target below saturation is met.\n" }
        return o + "\n"
    }
}
