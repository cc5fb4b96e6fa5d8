import Formatting
import SimulationEngine

/// How much work a run will be, estimated from the model before simulating: the events its
/// requests, sessions, jobs and timers make over the replayed traffic, the warm-up and the
/// measured window, and the memory its per-user and per-process state takes.
///
/// Why: a value each bound allows can still multiply into a run that never ends on one
/// machine (100 million users sending 100,000 requests a day each for a week). The command
/// line compares this estimate with a limit the user can raise (`--max-events`,
/// `--max-memory`) and refuses before starting, saying how long and how large the run would
/// be, instead of running for days or until memory runs out.
///
/// The estimate is meant to be right within a factor of about two, which is what a limit
/// needs: it counts the events each step of each endpoint's path makes at the offered rates
/// (the same rates that size the capacity), and does not foresee retries, timeouts or a
/// saturated component's queues.
public struct WorkEstimate: Sendable, Equatable {
    /// Events the simulation is expected to process.
    public var events: Double
    /// Requests (API, static assets, webhooks, health checks) expected, replay included.
    public var requests: Double
    /// Peak memory expected, in bytes.
    public var memoryBytes: Double

    /// Events one core processes per second in a release build on the 2-vCPU build machine
    /// (`Benchmarks/run-benchmark.sh`: 4.7 million; rounded down for slower machines). Used
    /// only to say how long a refused run would take.
    public static let eventsPerSecond = 4_000_000.0
    /// Memory per registered user: 90 bytes at 10 million users (`Benchmarks/run-benchmark.sh`),
    /// with room: population arrays, limiter windows, cache tables and sessions.
    public static let bytesPerUser = 120.0
    /// What a run takes whatever its size: the program, the model, histograms.
    public static let baseBytes = 64e6

    public init(model: PlatformModel, settings: RunSettings, load: OfferedLoad, plan: CapacityPlan) {
        let t = model.traffic
        let simulated = settings.warmUp + settings.duration
        // Events of one request of each endpoint: its arrival and completion, the middleware
        // segment, and about two per step (start and end of a CPU segment, a send and a reply).
        var perSecondEvents = 0.0
        var perSecondRequests = 0.0
        for e in model.endpoints {
            let rate = load.endpointRate[e.index]
            guard rate > 0, rate.isFinite else { continue }
            perSecondRequests += rate
            perSecondEvents += rate * (3 + 2 * Double(e.steps.count))
        }
        for job in model.jobs {
            let rate = load.jobRate[job.index]
            guard rate > 0, rate.isFinite else { continue }
            perSecondEvents += rate * (4 + 2 * Double(job.steps.count))
        }
        // Sessions (arrival, each page view), health checks, the time series and autoscaler ticks.
        perSecondEvents += load.sessionRate * (1 + t.pageViewsPerSession)
        let health = Double(plan.apiInstances) * t.healthChecksPerInstancePerSecond
        perSecondEvents += health * 5
        perSecondRequests += health
        var timers = simulated / Swift.max(1e-3, settings.timeSeriesInterval)
        if let a = model.api.autoscaling { timers += simulated / a.interval }
        // A traffic spike multiplies the arrivals while it overlaps the simulated span.
        var spikeSeconds = 0.0, spikeFactor = 1.0
        if let spike = t.spike {
            let start = settings.windowStart(diurnalWeights: t.diurnalWeights) - settings.warmUp
            let overlap = Swift.min(start + simulated, spike.start + spike.duration) - Swift.max(start, spike.start)
            spikeSeconds = Swift.max(0, overlap)
            spikeFactor = spike.multiplier
        }
        let busySeconds = simulated + spikeSeconds * (spikeFactor - 1)
        // The replay walks requests through limiter windows and caches only: about one event each.
        let replay = settings.replaySeconds * perSecondRequests
        events = perSecondEvents * busySeconds + timers + replay
        requests = perSecondRequests * busySeconds + replay

        // Memory: the population and per-user tables, the CDN's expiry tables, a pool per
        // process per shard, and the requests in flight (Little's law with a generous time in
        // the system, a minute or the request timeout; the processes' in-flight caps bound it).
        // The CDN keeps an expiry time per shared object per point of presence (4 bytes), and a
        // hashed entry per content object served (about 16 bytes), at most one per request.
        var cdnBytes = 0.0
        if model.cdn.enabled {
            for entry in model.cdn.catalog {
                cdnBytes += Double(entry.sharedObjects) * Double(model.cdn.pointsOfPresence) * 4
                let rate = entry.endpoint < load.endpointRate.count ? load.endpointRate[entry.endpoint] : 0
                if entry.perUserObjects > 0 || entry.perRowObjects > 0, rate.isFinite {
                    cdnBytes += rate * busySeconds * 16
                }
            }
        }
        let processes = Double(plan.apiProcesses + plan.workerProcesses)
        let pools = processes * Double(plan.shards)
        let inFlight = Swift.min(perSecondRequests * spikeFactor * Swift.min(model.api.requestTimeout, 60),
                                 Double(plan.apiProcesses) * Double(model.api.maxInFlightPerProcess))
        memoryBytes = Self.baseBytes + Double(t.users) * Self.bytesPerUser + cdnBytes + pools * 256
            + processes * 4096 + inFlight * 200
    }

    /// Seconds the run would take at ``eventsPerSecond`` on `cores` cores.
    public func seconds(cores: Int = 1) -> Double {
        events / (Self.eventsPerSecond * Double(Swift.max(1, cores)))
    }
}

extension WorkEstimate {
    /// The most events a command or a what-if starts without being asked to: ten billion, about
    /// 40 minutes on one core in a release build. The roadmap's 90 runs together are estimated at
    /// 1.9 billion (and `calibrate --notebook` runs them twice); 10 million users for the peak
    /// hour about 0.4 billion. What the limit is for is a value that multiplies into days or
    /// years of work (9.3e18 requests a day), which it refuses by orders of magnitude.
    public static let defaultMaxEvents = 1e10
    /// The largest event limit a user may set: past 10^15 events (eight years of one core)
    /// nothing finishes.
    public static let largestMaxEvents = 1e15

    /// What work of this size is, in words: `would simulate about 3e12 events (about 9 days on
    /// one core at 4,000,000 events a second) and need about 120 MB of memory`. Every refusal
    /// of too much work (the command line's `--max-events`, the workbench's `maxEvents`) says it
    /// this way.
    public static func describe(events: Double, memoryBytes: Double, cores: Int) -> String {
        let events = events.isFinite ? events : .greatestFiniteMagnitude
        let seconds = events / (eventsPerSecond * Double(Swift.max(1, cores)))
        return "would simulate about \(count(events)) events (\(duration(seconds)) "
            + "on \(cores <= 1 ? "one core" : "\(cores) cores") at \(count(eventsPerSecond)) events a second) "
            + "and need about \(bytes(memoryBytes)) of memory"
    }

    /// `4.2e13`, `2e9`, `38,000,000`.
    public static func count(_ x: Double) -> String {
        guard x.isFinite else { return "infinitely many" }
        if x < 1e9 { return Format.grouped(Int64(saturating: x.rounded())) }
        let exponent = Int(saturating: log10(x).rounded(.down))
        let mantissa = (x / pow(10, Double(exponent)) * 10).rounded() / 10
        let m = mantissa == mantissa.rounded() ? String(Int(mantissa)) : String(mantissa)
        return "\(m)e\(exponent)"
    }

    /// `about 40 s`, `about 12 minutes`, `about 5 hours`, `about 90 days`, `about 3,000 years`.
    public static func duration(_ seconds: Double) -> String {
        if !(seconds < 60) {
            if seconds < 3600 { return "about \(Int(saturating: (seconds / 60).rounded())) minutes" }
            if seconds < 172_800 { return "about \(Int(saturating: (seconds / 3600).rounded())) hours" }
            if seconds < 31_536_000 * 2 { return "about \(Int(saturating: (seconds / 86_400).rounded())) days" }
            return "about \(count(seconds / 31_536_000)) years"
        }
        return "about \(Int(saturating: seconds.rounded(.up))) s"
    }

    /// `120 MB`, `14 GB`, `3 TB`.
    public static func bytes(_ b: Double) -> String {
        if !(b < 1e12) { return "\(count((b / 1e12).rounded())) TB" }
        if b >= 1e9 { return "\(Int(saturating: (b / 1e9).rounded())) GB" }
        return "\(Int(saturating: (b / 1e6).rounded(.up))) MB"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
