import Testing
import Analysis
import SimulationEngine

/// The low and high values a sensitivity run tries for a model parameter.
@Suite struct SensitivityTests {
    static func p(_ value: String, spread: Double = 0.5, path: String = "some.value") -> Sensitivity.Perturbation? {
        Sensitivity.perturbation(path: path, value: value, spread: spread)
    }

    @Test func numbersScaleByTheSpread() throws {
        let a = try #require(Self.p("0.35", spread: 0.2))
        #expect(a.path == "some.value" && a.baseline == "0.35" && a.low == "0.28" && a.high == "0.42")
        let b = try #require(Self.p("  240\t", spread: 0.25))
        #expect(b.baseline == "240" && b.low == "180" && b.high == "300")
        let c = try #require(Self.p("1e3", spread: 0.1))
        #expect(Double(c.low) == 900 && Double(c.high) == 1100)
    }

    /// Whole numbers (counts) stay whole and at least 1; when rounding leaves both ends at the
    /// baseline there is nothing to try.
    @Test func wholeNumbersStayWholeAndAtLeastOne() throws {
        for (value, spread) in [("3", 0.5), ("7", 0.3), ("1", 0.5), ("1", 0.9), ("100_000", 0.2), ("20", 0.99)] {
            let x = Double(value.filter { $0 != "_" })!
            let p = try #require(Self.p(value, spread: spread), "\(value)")
            for (end, f) in [(p.low, 1 - spread), (p.high, 1 + spread)] {
                let n = try #require(Int(end), "\(value) -> '\(end)' is not whole")
                #expect(n >= 1)
                #expect(n == Swift.max(1, Int((x * f).rounded())), "\(value) x \(f) -> \(end)")
            }
        }
        #expect(Self.p("2", spread: 0.2) == nil)     // 1.6 and 2.4 both round to 2
        #expect(Self.p("1", spread: 0.2) == nil)
        // 1 cannot go lower: its low end is the baseline, flagged so the study does not label
        // a rerun of the baseline as the low end.
        let one = try #require(Self.p("1", spread: 0.5))
        #expect(one.lowIsBaseline && one.high == "2")
        #expect(try #require(Self.p("3", spread: 0.5)).lowIsBaseline == false)
    }

    /// Shares (a path naming a fraction, probability, share or ratio) are capped at 1; other
    /// numbers below 1 are not.
    @Test func fractionsAndProbabilitiesAreCappedAtOne() throws {
        let f = try #require(Self.p("0.75", spread: 0.5, path: "database.postgres.cacheMemoryFraction"))
        #expect(f.low == "0.375" && f.high == "1")
        let q = try #require(Self.p("0.8", spread: 0.5, path: "externalServices.mailgun.failureProbability"))
        #expect(q.low == "0.4" && q.high == "1")
        let s = try #require(Self.p("0.15", spread: 0.5, path: "traffic.dailyActiveFraction"))
        #expect(s.low == "0.075" && s.high == "0.225")
        let r = try #require(Self.p("0.9", spread: 0.5, path: "x.missRatio"))
        #expect(r.high == "1")
        let other = try #require(Self.p("0.8", spread: 0.5, path: "api.instance.memoryGB"))
        #expect(other.high == "1.2")
    }

    /// A distribution spec has its mean scaled: the first number of most families (the mean,
    /// or Pareto's scale), the second of erlang:K,MEAN and weibull:SHAPE,SCALE, every value of
    /// an empirical table or a uniform range. The engine's own mean of the new spec must be the
    /// old mean times (1 -+ spread).
    @Test func distributionsScaleTheirMean() throws {
        let ln = try #require(Self.p("lognormal:0.35,0.5", spread: 0.5))
        #expect(ln.low == "lognormal:0.175,0.5" && ln.high == "lognormal:0.525,0.5")
        let er = try #require(Self.p("erlang:3,10", spread: 0.2))
        #expect(er.low == "erlang:3,8" && er.high == "erlang:3,12")
        let em = try #require(Self.p("empirical:20,20,50,100", spread: 0.5))
        #expect(em.low == "empirical:10,10,25,50" && em.high == "empirical:30,30,75,150")
        let spaced = try #require(Self.p("lognormal: 0.35, 0.5", spread: 0.5))
        #expect(spaced.low == "lognormal:0.175,0.5")

        // normal:MEAN,SD keeps its SD (the engine truncates it at zero, so its mean is only
        // nearly the first number: the parameter is checked instead).
        let n = try #require(Self.p("normal:10,2", spread: 0.3))
        #expect(n.low == "normal:7,2" && n.high == "normal:13,2")
        for spec in ["exp:30", "det:5", "uniform:1,3", "lognormal:200,0.5", "gamma:4,0.7", "erlang:4,2",
                     "hyperexp:1,2", "weibull:1.5,10", "pareto:2,3", "empirical:20,20,25,50,50,100,1000"] {
            let p = try #require(Self.p(spec, spread: 0.3), "\(spec)")
            let base = try Distribution(spec: spec).mean
            let low = try Distribution(spec: p.low).mean, high = try Distribution(spec: p.high).mean
            #expect(abs(low - 0.7 * base) <= 1e-6 * base, "\(spec) -> \(p.low)")
            #expect(abs(high - 1.3 * base) <= 1e-6 * base, "\(spec) -> \(p.high)")
        }
    }

    /// Text, booleans, zero, lists, maps and malformed specs; also the texts Swift reads as a
    /// non-finite number ("inf", "nan"), which have no scaled value.
    @Test func whatCannotBeScaledGivesNil() {
        for value in ["true", "false", "closed", "roundRobin", "0", "0.0", "-0", "", "   ", "[1, 2, 3]", "[tier1-2, tier5]",
                      "~", "lognormal:abc,1", "lognormal", "nosuch:1,2", "{a: 1}", "inf", "-inf", "infinity", "nan"] {
            #expect(Self.p(value) == nil, "'\(value)' was perturbed")
        }
    }

    /// A whole number beyond what an Int holds is still scaled (not turned into an Int).
    @Test func hugeNumbersScaleWithoutOverflow() throws {
        let p = try #require(Self.p("12345678901234567890", spread: 0.5))
        let x = 12345678901234567890.0
        #expect(abs(try #require(Double(p.low)) - 0.5 * x) <= 1e-9 * x)
        #expect(abs(try #require(Double(p.high)) - 1.5 * x) <= 1e-9 * x)
    }

    /// Several seeds' outcomes average figure by figure; the SLO is met by a majority.
    @Test func outcomesOfSeveralSeedsAverage() {
        let a = Sensitivity.Outcome(p99Ms: 100, capacityUsers: 1000, monthlyUSD: 10, errorRate: 0.001, meetsSLO: true)
        let b = Sensitivity.Outcome(p99Ms: 300, capacityUsers: 3000, monthlyUSD: 30, errorRate: 0.003, meetsSLO: false)
        let m = Sensitivity.Outcome(averaging: [a, b])
        #expect(m.p99Ms == 200 && m.capacityUsers == 2000 && m.monthlyUSD == 20 && abs(m.errorRate - 0.002) < 1e-15)
        #expect(!m.meetsSLO)                                      // one of two is not a majority
        #expect(Sensitivity.Outcome(averaging: [a, a, b]).meetsSLO)
    }
}
