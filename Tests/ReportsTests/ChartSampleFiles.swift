import Foundation
import Testing

/// Writes the sample charts when CHART_SAMPLES_DIR is set (to look at them); otherwise does nothing.
@Suite struct ChartSamples {
    @Test func writeSamples() throws {
        guard let dir = ProcessInfo.processInfo.environment["CHART_SAMPLES_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, svg) in SampleCharts.all {
            try svg.write(toFile: dir + "/" + name + ".svg", atomically: true, encoding: .utf8)
        }
    }
}
