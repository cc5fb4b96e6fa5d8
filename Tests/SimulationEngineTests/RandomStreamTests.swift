import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import SimulationEngine

@Suite("Random numbers: generators, streams and uniformity")
struct RandomStreamTests {
    // MARK: Published reference values

    /// SplitMix64 from seed 0: the first outputs of Vigna's reference splitmix64.c.
    @Test func splitMix64ReferenceOutputs() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    /// xoshiro256** from the state {1, 2, 3, 4}: the first outputs of the reference C code
    /// (the first is rotl(2 * 5, 7) * 9 = 11520 by hand).
    @Test func xoshiroReferenceOutputs() {
        var g = Xoshiro256StarStar(seed: 0)
        (g.s0, g.s1, g.s2, g.s3) = (1, 2, 3, 4)
        #expect(g.next() == 11520)
        #expect(g.next() == 0)
        #expect(g.next() == 1_509_978_240)
        #expect(g.next() == 1_215_971_899_390_074_240)
    }

    /// FNV-1a 64 test vectors from the FNV reference suite.
    @Test func fnv1aReferenceValues() {
        #expect(RandomStreams.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(RandomStreams.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(RandomStreams.fnv1a("foobar") == 0x8594_4171_F739_67E8)
    }

    // MARK: Uniformity

    /// 1,000,000 uniforms into 100 equal bins: Pearson's chi-square with 99 degrees of freedom.
    @Test func uniformChiSquare100Bins() {
        var g = RandomStreams(masterSeed: 2024 &+ seedOffset).stream("uniformity")
        let n = 1_000_000, bins = 100
        var counts = [Int](repeating: 0, count: bins)
        var minimum = 1.0, maximum = 0.0
        for _ in 0..<n {
            let u = g.nextUniform()
            minimum = Swift.min(minimum, u); maximum = Swift.max(maximum, u)
            counts[Int(u * Double(bins))] += 1
        }
        #expect(minimum >= 0 && maximum < 1)
        expectChiSquareFits(observed: counts, expected: [Double](repeating: Double(n) / Double(bins), count: bins), "nextUniform, 100 bins")
        // The sample mean of U(0,1) has standard error sqrt(1/12 / n).
        var g2 = RandomStreams(masterSeed: 2024 &+ seedOffset).stream("uniformity")
        let xs = (0..<n).map { _ in g2.nextUniform() }
        expectMoments(xs, ExactMoments(mean: 0.5, variance: 1.0 / 12, fourthCentral: 1.0 / 80), "nextUniform")
    }

    /// Pairs of consecutive uniforms in a 20 x 20 grid: catches serial dependence that a
    /// one-dimensional test cannot.
    @Test func uniformPairsChiSquare() {
        var g = Xoshiro256StarStar(seed: 77 &+ seedOffset)
        let pairs = 400_000, side = 20
        var counts = [Int](repeating: 0, count: side * side)
        for _ in 0..<pairs {
            let a = Int(g.nextUniform() * Double(side)), b = Int(g.nextUniform() * Double(side))
            counts[a * side + b] += 1
        }
        expectChiSquareFits(observed: counts, expected: [Double](repeating: Double(pairs) / Double(side * side), count: side * side), "uniform pairs")
    }

    /// nextOpenUniform is in (0, 1], so its logarithm is always finite.
    @Test func openUniformNeverZero() {
        var g = Xoshiro256StarStar(seed: 5)
        var n = 0
        for _ in 0..<200_000 {
            let u = g.nextOpenUniform()
            if u > 0 && u <= 1 { n += 1 }
        }
        #expect(n == 200_000)
        // The generator's extremes map to the interval's ends exactly.
        #expect(Double((UInt64.max >> 11) &+ 1) * 0x1.0p-53 == 1)
        #expect(Double(UInt64(0) >> 11) * 0x1.0p-53 == 0)
    }

    /// Lag-1 autocorrelation of one stream's uniforms is 0 within its standard error 1/sqrt(n).
    @Test func noSerialCorrelation() {
        var g = RandomStreams(masterSeed: 9 &+ seedOffset).stream("serial")
        let n = 500_000
        let xs = (0..<n).map { _ in g.nextUniform() }
        let r = correlation(Array(xs.dropLast()), Array(xs.dropFirst()))
        #expect(abs(r) <= momentZ / Double(n - 1).squareRoot(), "lag-1 autocorrelation \(r)")
    }

    // MARK: Streams

    /// Two named streams, and the same name in two replications, are uncorrelated: the sample
    /// correlation of n independent pairs has standard error 1/sqrt(n).
    @Test func namedStreamsAreIndependent() {
        let streams = RandomStreams(masterSeed: 42 &+ seedOffset)
        let n = 500_000
        let pairs: [(Xoshiro256StarStar, Xoshiro256StarStar, String)] = [
            (streams.stream("a"), streams.stream("b"), "a vs b"),
            (streams.stream("api.cpu"), streams.stream("api.cpv"), "names one letter apart"),
            (streams.stream("a"), streams.forReplication(1).stream("a"), "replication 0 vs 1"),
            (streams.stream(key: 0), streams.stream(key: 1), "keys 0 vs 1"),
            (RandomStreams(masterSeed: 1).stream("a"), RandomStreams(masterSeed: 2).stream("a"), "seeds 1 vs 2"),
        ]
        for (first, second, label) in pairs {
            var (g1, g2) = (first, second)
            var xs = [Double](), ys = [Double]()
            xs.reserveCapacity(n); ys.reserveCapacity(n)
            for _ in 0..<n { xs.append(g1.nextUniform()); ys.append(g2.nextUniform()) }
            let r = correlation(xs, ys)
            #expect(abs(r) <= momentZ / Double(n).squareRoot(), "\(label): correlation \(r)")
            // Nor is one a shifted copy of the other (a common mistake when deriving streams).
            let shifted = correlation(Array(xs.dropFirst()), Array(ys.dropLast()))
            #expect(abs(shifted) <= momentZ / Double(n - 1).squareRoot(), "\(label): lag-1 cross-correlation \(shifted)")
            #expect(Set(xs.prefix(1000)).isDisjoint(with: ys.prefix(1000)), "\(label): shared values")
        }
    }

    /// A stream depends only on (seed, replication, name): creating and using other streams,
    /// before or after, changes nothing.
    @Test func streamUnaffectedByOtherStreams() {
        let streams = RandomStreams(masterSeed: 7, replication: 3)
        var alone = streams.stream("a")
        let reference = (0..<1000).map { _ in alone.next() }

        var b = streams.stream("b")
        for _ in 0..<12345 { _ = b.next() }
        var c = streams.stream("c")
        var a = streams.stream("a")
        _ = c.next()
        var interleaved: [UInt64] = []
        for _ in 0..<1000 { interleaved.append(a.next()); _ = b.next(); _ = c.next() }
        #expect(interleaved == reference)

        // The same streams rebuilt from scratch in another order give the same numbers.
        let again = RandomStreams(masterSeed: 7, replication: 3)
        _ = again.stream("zzz")
        var a2 = again.stream("a")
        #expect((0..<1000).map { _ in a2.next() } == reference)
        #expect(streams.forReplication(3) == again)
    }

    /// The same seed gives the same sequence; any change of seed, replication or name gives another.
    @Test func sameSeedSameSequence() {
        func first(_ g: Xoshiro256StarStar, _ k: Int = 100) -> [UInt64] { var g = g; return (0..<k).map { _ in g.next() } }
        #expect(first(Xoshiro256StarStar(seed: 123)) == first(Xoshiro256StarStar(seed: 123)))
        #expect(first(Xoshiro256StarStar(seed: 123)) != first(Xoshiro256StarStar(seed: 124)))
        let s = RandomStreams(masterSeed: 99)
        #expect(first(s.stream("x")) == first(RandomStreams(masterSeed: 99).stream("x")))
        #expect(first(s.stream("x")) != first(s.stream("y")))
        #expect(first(s.stream("x")) != first(s.forReplication(1).stream("x")))
        #expect(first(s.stream("x")) != first(RandomStreams(masterSeed: 100).stream("x")))
        // Copying a generator copies its position (value semantics).
        var g = Xoshiro256StarStar(seed: 1)
        _ = g.next()
        let copy = g
        #expect(first(g) == first(copy))
    }

    /// Many streams from one seed: their first outputs are all distinct (no collisions of derived seeds).
    @Test func derivedSeedsDoNotCollide() {
        var seen = Set<UInt64>()
        for r in 0..<50 {
            let s = RandomStreams(masterSeed: 1, replication: r)
            for name in (0..<200).map({ "component\($0)" }) {
                var g = s.stream(name)
                seen.insert(g.next())
            }
        }
        #expect(seen.count == 50 * 200)
    }

    // MARK: Integers

    /// nextInt(below:) is uniform for small bounds (chi-square over every value).
    @Test(arguments: [2, 3, 7, 10, 100, 1000])
    func nextIntUniformSmallBounds(bound: Int) {
        var g = Xoshiro256StarStar(seed: UInt64(bound) &+ seedOffset)
        let n = 50 * bound + 200_000
        var counts = [Int](repeating: 0, count: bound)
        for _ in 0..<n {
            let k = g.nextInt(below: bound)
            counts[k] += 1
        }
        expectChiSquareFits(observed: counts, expected: [Double](repeating: Double(n) / Double(bound), count: bound), "nextInt(below: \(bound))")
    }

    /// For a bound of 3 * 2^61 (2^64 / bound = 8/3), a biased reduction is far off: plain modulo
    /// makes the lower two thirds of the range 1.5 times as likely as the rest; multiply-shift
    /// without rejection maps 3, 3, 2 inputs to consecutive outputs, so k mod 3 == 2 has
    /// probability 1/4. An unbiased method gives 1/3 for every residue and 1/3 below bound/3.
    @Test func nextIntUnbiasedForHugeBound() {
        let bound = 3 << 61
        var g = Xoshiro256StarStar(seed: 31 &+ seedOffset)
        let n = 300_000
        var residues = [0, 0, 0]
        var lowThird = 0, outOfRange = 0
        for _ in 0..<n {
            let k = g.nextInt(below: bound)
            if k < 0 || k >= bound { outOfRange += 1 }
            residues[k % 3] += 1
            if k < bound / 3 { lowThird += 1 }
        }
        #expect(outOfRange == 0)
        expectChiSquareFits(observed: residues, expected: [Double](repeating: Double(n) / 3, count: 3), "nextInt residues mod 3")
        expectProportion(lowThird, of: n, equals: 1.0 / 3, "nextInt below bound/3")
        var one = Xoshiro256StarStar(seed: 1)
        #expect((0..<100).allSatisfy { _ in one.nextInt(below: 1) == 0 })
    }
}

/// Sample correlation coefficient.
func correlation(_ xs: [Double], _ ys: [Double]) -> Double {
    let n = Double(xs.count)
    let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in xs.indices {
        let dx = xs[i] - mx, dy = ys[i] - my
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy
    }
    return sxy / (sxx * syy).squareRoot()
}
