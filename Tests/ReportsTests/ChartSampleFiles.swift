import Foundation
import Testing

/// A tool, not a check: writes the sample charts into CHART_SAMPLES_DIR to look at
/// (`Tests/ReportsTests/write-sample-charts.sh DIR` runs it). Without the variable it is
/// reported as skipped, not passed; the charts themselves are checked by ``ChartSVGTests``.
/// When it runs it checks what it wrote: one file per sample, each byte for byte the chart.
@Suite struct ChartSamples {
    static let directory = ProcessInfo.processInfo.environment["CHART_SAMPLES_DIR"]

    @Test(.enabled(if: ChartSamples.directory != nil, "set CHART_SAMPLES_DIR to write the sample charts"))
    func writeSamples() throws {
        let dir = try #require(Self.directory)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let samples = SampleCharts.all
        #expect(Set(samples.map(\.name)).count == samples.count, "two samples share a file name")
        for (name, svg) in samples {
            let path = dir + "/" + name + ".svg"
            try svg.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == svg, "\(path) does not read back as written")
        }
    }
}
