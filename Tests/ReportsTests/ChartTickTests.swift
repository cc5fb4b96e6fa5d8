import Foundation
import Testing
@testable import Reports

/// Tick selection: known ranges give known ticks.
@Suite struct ChartTickTests {
    @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(Ticks.niceStep(span: 100, count: 5) == (2, 1))
        #expect(Ticks.niceStep(span: 1, count: 5) == (2, -1))
        #expect(Ticks.niceStep(span: 7, count: 7) == (1, 0))
        #expect(Ticks.niceStep(span: 3_000, count: 6) == (5, 2))
        #expect(Ticks.niceStep(span: 0.03, count: 4) == (1, -2))
        #expect(Ticks.niceStep(span: 0, count: 4) == (1, 0))
    }

    @Test func linearTicksAreExactMultiplesOfTheStep() {
        #expect(Ticks.linear(0...100, count: 5) == [0, 20, 40, 60, 80, 100])
        // Division by powers of ten: 0.6, not 0.6000000000000001.
        #expect(Ticks.linear(0...1, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks.linear(-2.5...2.5, count: 5) == [-2, -1, 0, 1, 2])
        #expect(Ticks.linear(0.13...0.87, count: 4) == [0.2, 0.4, 0.6, 0.8])
    }

    @Test func niceDomainsEndOnTicks() {
        #expect(Ticks.niceDomain(3...97, count: 5) == 0...100)
        #expect(Ticks.niceDomain(0...1_450, count: 6) == 0...1_500)
        #expect(Ticks.niceDomain(-0.3...0.7, count: 5) == -0.4...0.8)
        #expect(Ticks.niceDomain(5...5, count: 5) == 4.4...5.6)
    }

    @Test func timeStepsAreWholeMinutesAndHours() {
        #expect(Ticks.linear(0...600, count: 6, time: true) == [0, 120, 240, 360, 480, 600])
        #expect(Ticks.linear(0...3_600, count: 6, time: true) == [0, 600, 1_200, 1_800, 2_400, 3_000, 3_600])
        #expect(Ticks.linear(0...86_400, count: 5, time: true) == [0, 21_600, 43_200, 64_800, 86_400])
        // Short windows keep 1-2-5 seconds.
        #expect(Ticks.linear(0...100, count: 5, time: true) == [0, 20, 40, 60, 80, 100])
    }

    @Test func logTicksAreDecadesWithTwosAndFives() {
        let ticks = Ticks.log(1_000...1_000_000)
        #expect(ticks.map(\.value) == [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000])
        #expect(ticks.filter(\.isMajor).map(\.value) == [1_000, 10_000, 100_000, 1_000_000])
        #expect(Ticks.log(0.01...1).map(\.value) == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
    }

    @Test func logDomainsSnapToOneTwoFive() {
        #expect(Ticks.logDomain(3_000...2_000_000) == 2_000...2_000_000)
        #expect(Ticks.logDomain(10_000...3_000_000) == 10_000...5_000_000)
        #expect(Ticks.logDomain(40...180) == 20...200)
        #expect(Ticks.logDomain(100...100) == 50...200)
    }

    @Test func usersAxisLabelsDecades() {
        let layout = Axis.users().layout(data: [10_000, 30_000, 100_000, 1_000_000, 3_000_000], length: 560, horizontal: true)
        #expect(layout.domain == 10_000...5_000_000)
        #expect(layout.ticks.compactMap(\.label) == ["10k", "100k", "1M"])
        #expect(layout.ticks.filter { !$0.isMajor }.map(\.value) == [20_000, 50_000, 200_000, 500_000, 2_000_000, 5_000_000])
    }

    @Test func narrowLogAxesLabelTheTwosAndFives() {
        let layout = Axis("p99", scale: .log10, format: .milliseconds).layout(data: [40, 180], length: 300, horizontal: false)
        #expect(layout.ticks.compactMap(\.label) == ["20 ms", "50 ms", "100 ms", "200 ms"])
    }

    @Test func crowdedLogAxesThinTheirLabels() {
        let layout = Axis("x", scale: .log10).layout(data: [0.001, 1e9], length: 120, horizontal: false)
        let labelled = layout.ticks.filter { $0.label != nil }.map(\.value)
        #expect(labelled.count >= 2 && labelled.count <= 7)
        #expect(layout.labelsFit(length: 120, horizontal: false, fontSize: 11))
    }

    @Test func linearAxesDropTicksUntilLabelsFit() {
        let axis = Axis("cost", format: .usd)
        let wide = axis.layout(data: [0, 1_234_567], length: 600, horizontal: true)
        let narrow = axis.layout(data: [0, 1_234_567], length: 120, horizontal: true)
        #expect(wide.ticks.count > narrow.ticks.count)
        #expect(narrow.labelsFit(length: 120, horizontal: true, fontSize: 11))
        #expect(narrow.ticks.count >= 2)
    }

    @Test func linearAxesStartAtZeroUnlessToldOtherwise() {
        #expect(Axis("y").layout(data: [40, 97], length: 300, horizontal: false).domain == 0...100)
        #expect(Axis("y", includesZero: false).layout(data: [40, 97], length: 300, horizontal: false).domain == 40...100)
        #expect(Axis("y", range: 0...1).layout(data: [5], length: 300, horizontal: false).domain == 0...1)
        #expect(Axis("y").layout(data: [], length: 300, horizontal: false).domain == 0...1)
    }

    @Test func simulatedTimeAxisReadsInMinutes() {
        let layout = Axis("time", format: .seconds, range: 0...600).layout(data: [], length: 540, horizontal: true)
        #expect(layout.ticks.compactMap(\.label) == ["0 min", "2 min", "4 min", "6 min", "8 min", "10 min"])
    }

    @Test func logAndExpAreAccurate() {
        for e in -6...9 {
            #expect(abs(Ticks.log10(Ticks.scaled(1, e)) - Double(e)) < 1e-14)
            #expect(abs(Ticks.exp10(Double(e)) / Ticks.scaled(1, e) - 1) < 1e-14)
        }
        #expect(abs(Ticks.log10(2) - 0.30102999566398120) < 1e-15)
        #expect(abs(Ticks.log10(3_000_000) - 6.477121254719662) < 1e-14)
        #expect(Ticks.log10(0) == -.infinity)
        #expect(Ticks.log10(-1).isNaN)
    }
}

/// Where a value lands on an axis, against the definition of the scale: on a linear axis its
/// share of the domain, on a log axis the share of the domain's decades below it, so the
/// geometric mean of the ends is half-way and each decade takes the same length.
@Suite struct AxisPositionTests {
    @Test func logAxisPutsEveryDecadeAtTheSameLength() throws {
        let axis = Axis("users", scale: .log10)
        let l = axis.layout(data: [10_000, 3_000_000], length: 600, horizontal: true)
        let lo = l.domain.lowerBound, hi = l.domain.upperBound
        #expect(lo > 0 && lo <= 10_000 && hi >= 3_000_000)
        for v in [lo, 10_000, 30_000, 100_000, 1_000_000, 3_000_000, hi, (lo * hi).squareRoot()] {
            let expected = Foundation.log10(v / lo) / Foundation.log10(hi / lo)
            let f = try #require(l.fraction(v))
            #expect(abs(f - expected) < 1e-12, "\(v): \(f) vs \(expected)")
        }
        #expect(l.fraction(0) == nil && l.fraction(-5) == nil)
    }

    @Test func linearAxisPutsAValueAtItsShareOfTheDomain() throws {
        let l = Axis("p99", scale: .linear).layout(data: [0, 870], length: 400, horizontal: false)
        let lo = l.domain.lowerBound, hi = l.domain.upperBound
        for v in [lo, 0, 100, 435, 870, hi] {
            #expect(abs(try #require(l.fraction(v)) - (v - lo) / (hi - lo)) < 1e-12, "\(v)")
        }
    }
}
