import Foundation
import Testing
@testable import Reports

/// The SVG documents: well-formed, deterministic, with their texts, gaps and legend where they belong.
@Suite struct ChartSVGTests {
    @Test(arguments: SampleCharts.all.map(\.name))
    func samplesAreWellFormedSVG(_ name: String) throws {
        let svg = try #require(SampleCharts.all.first { $0.name == name }?.svg)
        let root = try XMLCheck.parse(svg)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["viewBox"] == "0 0 \(root.attributes["width"]!) \(root.attributes["height"]!)")
        #expect(root.attributes["font-family"] == "sans-serif")
        // Pixel sizes and no CSS anywhere: `style="height:auto"` on the root made cairosvg draw a
        // blank page (Tests/Integration/charts.sh draws every sample with two rasterizers).
        #expect(Int(root.attributes["width"] ?? "") != nil && Int(root.attributes["height"] ?? "") != nil)
        #expect(root.all.allSatisfy { $0.attributes["style"] == nil && $0.name != "style" && $0.name != "script" })
        // A white background first, the title for screen readers.
        #expect(root.children.first?.name == "title")
        #expect(root.children.dropFirst().first?.name == "rect")
        #expect(root.children.dropFirst().first?.attributes["fill"] == "#ffffff")
        // No number written with an exponent or more than two decimals in a coordinate.
        for e in root.all {
            for key in ["x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r"] {
                guard let v = e.attributes[key] else { continue }
                #expect(Double(v) != nil && !v.contains("e") && (v.split(separator: ".").dropFirst().first?.count ?? 0) <= 2, "\(key)=\(v)")
            }
        }
    }

    @Test func sameDataGivesTheSameBytes() {
        for (name, svg) in SampleCharts.all {
            #expect(svg == SampleCharts.all.first { $0.name == name }!.svg)
        }
        #expect(SampleCharts.latency().svg(width: 500, height: 300) == SampleCharts.latency().svg(width: 500, height: 300))
    }

    @Test func clipIdsDifferBetweenChartsAndNotBetweenRuns() throws {
        func clipId(_ svg: String) throws -> String {
            try #require(XMLCheck.parse(svg).elements("clipPath").first?.attributes["id"])
        }
        let a = try clipId(SampleCharts.latency().svg())
        #expect(a == (try clipId(SampleCharts.latency().svg())))
        #expect(a != (try clipId(SampleCharts.cost().svg())))
        #expect(a != (try clipId(SampleCharts.latency().svg(width: 600))))
        #expect(a.hasPrefix("clip-") && a.count == 13)
    }

    @Test func titlesLabelsAndLegendEntriesArePresent() throws {
        let root = try XMLCheck.parse(SampleCharts.latency().svg())
        let texts = root.texts
        for expected in ["p99 latency by configuration", "busiest hour, seed 1; missing points: the run failed",
                         "users", "p99 latency", "10k", "100k", "1M", "100 ms", "1 s", "SLO p99 500 ms", "today"] {
            #expect(texts.contains(expected), "\(expected)")
        }
        let legend = try #require(root.groups(class: "legend").first)
        #expect(legend.texts == ["current", "phase 1", "phase 2", "phase 3", "phase 4"])
        #expect(root.groups(class: "line").map { $0.attributes["data-name"] } == ["current", "phase 1", "phase 2", "phase 3", "phase 4"])
    }

    @Test func textIsEscaped() throws {
        let chart = LineChart(title: "p99 <latency> & \"cost\" 'now'", x: Axis("a < b"), y: Axis("c & d"),
                              series: [Series("x > y", points: [(x: 1, y: 2), (x: 2, y: 3)])])
        let svg = chart.svg()
        #expect(svg.contains("p99 &lt;latency&gt; &amp; &quot;cost&quot; &apos;now&apos;"))
        let root = try XMLCheck.parse(svg)
        #expect(root.texts.contains("p99 <latency> & \"cost\" 'now'"))
        #expect(root.texts.contains("a < b") && root.texts.contains("c & d") && root.texts.contains("x > y"))
        // Control characters that XML forbids are dropped rather than breaking the document.
        _ = try XMLCheck.parse(LineChart(title: "bell\u{07}", x: Axis("x"), y: Axis("y")).svg())
    }

    /// The path of the only series in `chart`, and its marker count.
    func line(_ chart: LineChart) throws -> (d: String?, markers: Int) {
        let root = try XMLCheck.parse(chart.svg())
        let group = try #require(root.groups(class: "line").first)
        let d = group.elements("path").first { $0.attributes["fill"] == "none" }?.attributes["d"]
        let markers = group.children.filter { ["circle", "rect", "polygon", "path"].contains($0.name) && $0.attributes["fill"] != "none" }
        return (d, markers.count)
    }

    @Test func nanBreaksTheLine() throws {
        let broken = try line(LineChart(title: "t", x: Axis("x"), y: Axis("y"),
                                        series: [Series("s", x: [1, 2, 3, 4, 5], y: [1, 2, .nan, 4, 5], markers: .never)]))
        let d = try #require(broken.d)
        #expect(d.filter { $0 == "M" }.count == 2)
        #expect(d.filter { $0 == "L" }.count == 2)
        #expect(broken.markers == 0)
        let whole = try line(LineChart(title: "t", x: Axis("x"), y: Axis("y"),
                                       series: [Series("s", x: [1, 2, 3, 4, 5], y: [1, 2, 3, 4, 5], markers: .never)]))
        #expect(whole.d?.filter { $0 == "M" }.count == 1)
    }

    @Test func lonePointsShowAsMarkers() throws {
        // 3 stands alone between two gaps; 5-6 is a segment; markers are off otherwise.
        let r = try line(LineChart(title: "t", x: Axis("x"), y: Axis("y"),
                                   series: [Series("s", x: [1, 2, 3, 4, 5, 6], y: [.nan, .nan, 3, .infinity, 5, 6], markers: .never)]))
        #expect(r.d?.filter { $0 == "M" }.count == 1)
        #expect(r.markers == 0)
        let auto = try line(LineChart(title: "t", x: Axis("x"), y: Axis("y"),
                                      series: [Series("s", x: Array(stride(from: 0.0, to: 100, by: 1)), y: (0..<100).map { $0 == 50 ? 7 : ($0 == 49 || $0 == 51 ? .nan : 1) })]))
        #expect(auto.markers == 1)
        let single = try line(LineChart(title: "t", x: Axis("x"), y: Axis("y"), series: [Series("s", points: [(x: 1, y: 1)])]))
        #expect(single.d == nil && single.markers == 1)
    }

    @Test func nonPositiveValuesOnALogAxisAreGaps() throws {
        let r = try line(LineChart(title: "t", x: Axis("x", scale: .log10), y: Axis("y", scale: .log10),
                                   series: [Series("s", x: [1, 10, 100, 1_000, 10_000], y: [5, 50, 0, 500, 5_000], markers: .never)]))
        #expect(r.d?.filter { $0 == "M" }.count == 2)
    }

    @Test func rightLegendStaysRightOfThePlot() throws {
        let root = try XMLCheck.parse(SampleCharts.utilization().svg())
        let axisLine = try #require(root.groups(class: "x-axis").first?.elements("line").first)
        let plotRight = try #require(axisLine.number("x2"))
        let legend = try #require(root.groups(class: "legend").first)
        for e in legend.all where e.name == "text" || e.name == "line" {
            #expect((e.number("x") ?? e.number("x1")!) > plotRight)
        }
        // ...and inside the picture.
        for t in legend.elements("text") {
            #expect(t.number("x")! + SVG.textWidth(t.text, size: 11) <= 720)
        }
    }

    @Test func longNamesPutTheLegendBelow() throws {
        let names = ["Postgres primary CPU utilization", "PgBouncer single thread utilization", "Redis main thread utilization"]
        let chart = LineChart(title: "t", x: Axis("users"), y: Axis("u"),
                              series: names.map { Series($0, x: [1, 2], y: [1, 2]) })
        let root = try XMLCheck.parse(chart.svg(width: 600, height: 400))
        let axisLabel = try #require(root.groups(class: "x-axis").first?.elements("text").last)
        let legend = try #require(root.groups(class: "legend").first)
        #expect(legend.texts == names)
        for t in legend.elements("text") { #expect(t.number("y")! > axisLabel.number("y")!) }
    }

    @Test func bandsAndReferenceLinesAreDrawn() throws {
        let root = try XMLCheck.parse(SampleCharts.timeSeries().svg())
        #expect(root.texts.contains("primary down"))
        #expect(root.elements("rect").contains { $0.attributes["fill-opacity"] != nil })
        #expect(root.texts.contains("0 min") && root.texts.contains("10 min"))
    }

    @Test func stackedPanelsShareOneTimeAxis() throws {
        let root = try XMLCheck.parse(SampleCharts.runTimeline().svg())
        let panels = root.groups(class: "panel")
        #expect(panels.count == 3)
        #expect(root.groups(class: "x-axis").count == 1)
        #expect(root.groups(class: "y-axis").count == 3)
        #expect(root.texts.filter { $0 == "primary down" }.count == 1)
        #expect(panels.map { $0.elements("rect").filter { $0.attributes["fill-opacity"] != nil }.count } == [1, 1, 1])
        // Slots go on across panels: five series, five colours.
        let colors = root.groups(class: "line").compactMap { $0.elements("path").first?.attributes["stroke"] }
        #expect(colors.count == 5 && Set(colors).count == 5)
        // The panels line up on the left and right.
        let yAxes = root.groups(class: "y-axis").map { $0.elements("line").first!.number("x1")! }
        #expect(Set(yAxes).count == 1)
        #expect(Set(root.elements("clipPath").map { $0.attributes["id"]! }).count == 3)
    }

    @Test func emptyChartsStillRender() throws {
        let root = try XMLCheck.parse(LineChart(title: "nothing yet", x: .users(), y: Axis("p99", scale: .log10, format: .milliseconds)).svg())
        #expect(root.texts.contains("no data"))
        _ = try XMLCheck.parse(TornadoChart(title: "t", baselineLabel: "b", baseline: 1, bars: [], unit: .plain).svg())
        _ = try XMLCheck.parse(BarChart(title: "t", categories: [], series: [], y: Axis("y")).svg())
        _ = try XMLCheck.parse(StackedChart(title: "t", x: Axis("x"), panels: []).svg())
    }

    @Test func tornadoRowsGoWidestFirst() throws {
        let root = try XMLCheck.parse(SampleCharts.tornado().svg())
        let names = root.groups(class: "bars").first!.children.filter { $0.name == "text" }.map(\.text)
        #expect(names == ["Prisma connection_limit", "Postgres size", "cache TTL", "LLM latency", "API instances", "users behind one office IP"])
        let texts = root.texts
        #expect(texts.contains("1.9 s (5)") && texts.contains("260 ms (40)"))
        #expect(texts.contains("baseline: phase 2, 300k users, 420 ms"))
        #expect(root.groups(class: "low").count == 6 && root.groups(class: "high").count == 6)
        // A low value left of the baseline draws its bar to the left of it.
        let baseline = try #require(root.elements("line").first { $0.attributes["stroke-width"] == "1.5" }?.number("x1"))
        let firstHigh = try #require(root.groups(class: "high").first?.elements("rect").first)
        #expect(firstHigh.number("x")! + firstHigh.number("width")! <= baseline + 0.01)
    }

    @Test func stackedBarsShowTotals() throws {
        let root = try XMLCheck.parse(SampleCharts.costBars().svg())
        let texts = root.texts
        #expect(texts.contains("$2,740") && texts.contains("$6,900"))
        #expect(root.groups(class: "legend").first?.texts.first == "Mailgun + LLM")
        // nan and zero leave the bar out: 5 line items in 5 configurations, Redis missing once,
        // no workers today.
        #expect(root.groups(class: "bars").first!.elements("rect").count == 23)
        let grouped = BarChart(title: "g", categories: ["a", "b"], series: [BarSeries("x", values: [1, 2]), BarSeries("y", values: [3, 4])],
                               mode: .grouped, y: Axis("v"))
        #expect(try XMLCheck.parse(grouped.svg()).groups(class: "bars").first!.elements("rect").count == 4)
    }

    /// The chart code uses nothing but the standard library and the program's number formatter
    /// (itself dependency-free): byte-stable, no locale, nothing about results.
    @Test func chartSourcesImportNothing() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Reports/Charts").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 5)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("import ") && $0 != "import Formatting" }, "\(f) imports a module")
        }
    }
}
