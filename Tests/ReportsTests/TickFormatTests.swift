import Testing
@testable import Reports

/// Tick labels and annotated values.
@Suite struct TickFormatTests {
    @Test func usersInThousandsAndMillions() {
        let f = TickFormat.users
        #expect(f.label(10_000) == "10k")
        #expect(f.label(1_000_000) == "1M")
        #expect(f.label(3_000_000) == "3M")
        #expect(f.label(2_500) == "2.5k")
        #expect(f.label(500) == "500")
        #expect(f.label(0) == "0")
        #expect(f.label(1_500_000_000) == "1.5B")
        #expect(f.value(12_345) == "12.3k")
        #expect(f.value(999_600) == "1M")
    }

    @Test func millisecondsSwitchToSeconds() {
        let f = TickFormat.milliseconds
        #expect(f.label(0.5) == "0.5 ms")
        #expect(f.label(1) == "1 ms")
        #expect(f.label(10) == "10 ms")
        #expect(f.label(250) == "250 ms")
        #expect(f.label(1_000) == "1 s")
        #expect(f.label(1_500) == "1.5 s")
        #expect(f.value(183.42) == "183 ms")
        #expect(f.value(999.7) == "1 s")
        #expect(f.value(0.01234) == "0.0123 ms")
    }

    @Test func linearAxesShareOneUnit() {
        #expect(TickFormat.milliseconds.labels([0, 500, 1_000, 1_500], scale: .linear) == ["0 s", "0.5 s", "1 s", "1.5 s"])
        #expect(TickFormat.milliseconds.labels([0, 200, 400], scale: .linear) == ["0 ms", "200 ms", "400 ms"])
        #expect(TickFormat.milliseconds.labels([1, 10, 100, 1_000], scale: .log10) == ["1 ms", "10 ms", "100 ms", "1 s"])
        #expect(TickFormat.seconds.labels([0, 20, 40], scale: .linear) == ["0 s", "20 s", "40 s"])
        #expect(TickFormat.seconds.labels([0, 300, 600], scale: .linear) == ["0 min", "5 min", "10 min"])
        #expect(TickFormat.seconds.labels([0, 3_600, 7_200], scale: .linear) == ["0 h", "1 h", "2 h"])
        #expect(TickFormat.seconds.labels([0, 1_000, 2_000], scale: .linear) == ["0 s", "1,000 s", "2,000 s"])
    }

    @Test func percentagesOfFractions() {
        let f = TickFormat.percent
        #expect(f.label(0.25) == "25%")
        #expect(f.label(0.001) == "0.1%")
        #expect(f.label(0.07) == "7%")
        #expect(f.label(1) == "100%")
        #expect(f.value(0.012345) == "1.23%")
    }

    @Test func dollars() {
        let f = TickFormat.usd
        #expect(f.label(500) == "$500")
        #expect(f.label(12_000) == "$12k")
        #expect(f.label(1_200_000) == "$1.2M")
        #expect(f.label(-5_000) == "-$5k")
        #expect(f.value(2_743.4) == "$2,743")
        #expect(f.value(123_456) == "$123k")
        #expect(f.value(0.4567) == "$0.457")
    }

    @Test func plainNumbersAndUnits() {
        #expect(TickFormat.plain.label(1_500) == "1,500")
        #expect(TickFormat.plain.label(0.25) == "0.25")
        #expect(TickFormat.plain.label(-1_234.5) == "-1,234.5")
        #expect(TickFormat.plain.label(0.1 + 0.2) == "0.3")
        #expect(TickFormat.unit("req/s").label(1_200) == "1,200 req/s")
        #expect(TickFormat.plain.label(.nan) == "n/a")
        #expect(TickFormat.plain.label(2e20) == "2e20")
    }
}
