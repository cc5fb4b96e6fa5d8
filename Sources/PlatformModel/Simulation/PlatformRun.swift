import SimulationEngine
#if canImport(Glibc)
import Glibc
#endif

/// Runs one configuration at one user count: estimate the offered load, size the capacity by
/// the scaling rules, simulate the window, collect the results.
public enum PlatformRun {
    /// The window a run simulates (seconds into the day): warm-up start, measured start, end.
    public static func window(model: PlatformModel, settings: RunSettings) -> (start: Double, end: Double) {
        let start = settings.windowStart(diurnalWeights: model.traffic.diurnalWeights)
        return (start, start + settings.duration)
    }

    public static func plan(model: PlatformModel, settings: RunSettings) -> (OfferedLoad, CapacityPlan) {
        let load = OfferedLoad(model: model, window: window(model: model, settings: settings))
        return (load, CapacityPlan(model: model, load: load))
    }

    /// Simulates and returns the measured figures (bottleneck and cost are left to the analysis layer).
    public static func run(model: PlatformModel, settings: RunSettings, plan override: CapacityPlan? = nil) -> RunResult {
        let clock = WallClock()
        let plan = override ?? Self.plan(model: model, settings: settings).1
        var simulation = PlatformSimulation(model: model, plan: plan, settings: settings)
        var sim = Simulator(startTime: simulation.origin, reservingCapacity: 4096)
        simulation.start(in: &sim)
        sim.run(&simulation, until: simulation.end)
        return simulation.result(at: sim.now, events: sim.processedEvents, wallSeconds: clock.elapsed)
    }
}

/// Monotonic wall-clock seconds, for reporting how long a run took (never used inside the model).
public struct WallClock: Sendable {
    let start: Double
    public init() { start = WallClock.now() }
    public var elapsed: Double { WallClock.now() - start }
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
