import Foundation
import ModelFiles
import ExperimentRunner
import ModelSchema
import PlatformModel
import Testing
@testable import Calibration

/// The overlay a calibration writes: the schema reads and checks its measurements, and runs
/// draw the measured parameters from them.
@Suite struct OverlaySchemaTests {
    let overlay = """
        traffic:
          dailyActiveFraction: 0.2                   # measured: test, 100 users, 95% interval 0.18 to 0.22
          thinkTimeS: exp:25                         # measured: test
          authenticatedMix:                          # measured: test
            dashboard: 0.12
        calibration:
          measured:
            traffic.dailyActiveFraction: {value: 0.2, low: 0.18, high: 0.22, samples: 100, source: "test", draws: [0.19, 0.21]}
            traffic.thinkTimeS@mean: {value: 25, low: 24, high: 26, samples: 10, source: "test"}
            traffic.diurnalWeights[3]: {value: 0.3, low: 0.25, high: 0.35, samples: 10, source: "test", draws: [0.5, 0.1]}
            traffic.authenticatedMix.dashboard: {value: 0.12, low: 0.1, high: 0.14, samples: 10, source: "test", draws: [0.62, 0.12]}

        """

    func withOverlay<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        let folder = try Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/calibrated.yaml"
        try Support.write(text, to: path)
        return try body(path)
    }

    @Test func measurementsAreReadAndDrawn() throws {
        try withOverlay(overlay) { path in
            let (model, section) = try Support.load(overlays: [path])
            #expect(model.traffic.dailyActiveFraction == 0.2)
            #expect(section.measured.map(\.name) == ["traffic.dailyActiveFraction", "traffic.thinkTimeS@mean", "traffic.diurnalWeights[3]", "traffic.authenticatedMix.dashboard"])
            #expect(section.measured.allSatisfy { $0.isInForce })
            let draw0 = try PlatformModelFile.parameterDraw(0, base: Support.model, configuration: "current", extraOverlays: [path])
            let m0 = try PlatformModelFile.load(Support.model, configuration: "current", overrides: draw0, extraOverlays: [path]).0
            let m1 = try PlatformModelFile.load(Support.model, configuration: "current",
                                                overrides: try PlatformModelFile.parameterDraw(1, base: Support.model, configuration: "current", extraOverlays: [path]),
                                                extraOverlays: [path]).0
            #expect(m0.traffic.dailyActiveFraction == 0.19)
            #expect(m1.traffic.dailyActiveFraction == 0.21)
            #expect(m0.traffic.diurnalWeights[3] == 0.5 && m1.traffic.diurnalWeights[3] == 0.1)
            #expect(m0.traffic.diurnalWeights[4] == model.traffic.diurnalWeights[4])
            // The mix stays a distribution: the drawn share, the rest scaled to make room.
            let dashboard = model.endpoints.firstIndex { $0.name == "dashboard" }!
            let share0 = m0.traffic.authenticatedMix.first { $0.endpoint == dashboard }!.weight
            #expect(abs(m0.traffic.authenticatedMix.reduce(0) { $0 + $1.weight } - 1) < 1e-9)
            #expect(abs(share0 - 0.62 / (1 - 0.12 + 0.62)) < 1e-9)
            // Without draws: from the interval, so within a few of its half-widths.
            #expect(abs(m0.traffic.thinkTime.mean - 25) < 4 && m0.traffic.thinkTime.mean != 25)
            // A value set by hand is not drawn over.
            let manual = try PlatformModelFile.parameterDraw(0, base: Support.model, configuration: "current",
                                                             overrides: ["traffic.dailyActiveFraction=0.3"], extraOverlays: [path])
            #expect(!manual.contains { $0.hasPrefix("traffic.dailyActiveFraction=") })
        }
    }

    @Test func sweepsDrawPerReplicationAndStoreTheDraws() throws {
        try withOverlay(overlay) { path in
            let experiment = path.replacingOccurrences(of: "calibrated.yaml", with: "experiment.yaml")
            try Support.write("""
                name: drawn
                question: Parameter uncertainty through a sweep.
                model: \(Support.model)
                overlays: [\(path)]
                configurations: [current, phase1]
                users: [1000]
                replications: 2
                parameterUncertainty: true
                window: {warmUpS: 10, durationS: 10}
                slo: {p99Ms: 500, errorRate: 0.01}
                """, to: experiment)
            let plan = try SweepPlan.prepare(try ExperimentFile.load(experiment), programVersion: "test")
            #expect(plan.cells.count == 4)
            for cell in plan.cells {
                let expected = cell.key.replication == 0 ? 0.19 : 0.21
                #expect(cell.model.traffic.dailyActiveFraction == expected)
                #expect(cell.provenance.overrides.contains("traffic.dailyActiveFraction=\(expected)"))
            }
            #expect(Set(plan.cells.map(\.provenance.modelSHA256)).count == 4)
        }
    }

    @Test func badMeasurementsAreLocatedInTheOverlay() throws {
        let swapped = overlay.replacingOccurrences(of: "low: 0.18, high: 0.22", with: "low: 0.21, high: 0.22")
        try withOverlay(swapped) { path in
            let error = #expect(throws: ModelErrors.self) { _ = try Support.load(overlays: [path]) }
            let e = error?.errors.first
            #expect(e?.location?.file == path)
            #expect(e?.location?.line == 8)
            #expect(e?.message.contains("must be at most value") == true)
        }
        let unknown = overlay.replacingOccurrences(of: "traffic.thinkTimeS@mean:", with: "traffic.thinkTimes@mean:")
        try withOverlay(unknown) { path in
            let error = #expect(throws: ModelErrors.self) { _ = try Support.load(overlays: [path]) }
            #expect(error?.errors.first?.message == "calibration.measured names 'traffic.thinkTimes', which the model does not have")
        }
    }

    @Test func theWrittenOverlayValidatesAndRoundTrips() throws {
        let (_, result, _, _) = try RoundTripTests.day.get()
        let text = result.overlay(command: "platform-sim calibrate ...", version: "test", model: "Models/platform.yaml", modelHash: "0").render()
        try withOverlay(text) { path in
            let (model, section) = try Support.load(overlays: [path])
            let measured = result.parameters.flatMap(\.measurements)
            #expect(section.measured.count == measured.count)
            #expect(section.measured.allSatisfy { $0.isInForce })
            let daf = try #require(section.measured.first { $0.name == "traffic.dailyActiveFraction" })
            let written = try #require(measured.first { $0.name == "traffic.dailyActiveFraction" })
            #expect(model.traffic.dailyActiveFraction == daf.value)
            #expect(daf.draws.count == written.draws.count)
            #expect(zip(daf.draws, written.draws).allSatisfy { abs($0 - $1) <= 5e-4 * $1 })   // written to 4 digits
            for r in 0..<3 {
                let draw = try PlatformModelFile.parameterDraw(r, base: Support.model, configuration: "current", extraOverlays: [path])
                let drawn = try PlatformModelFile.load(Support.model, configuration: "current", overrides: draw, extraOverlays: [path]).0
                #expect(drawn.traffic.dailyActiveFraction == daf.draws[r])
            }
        }
    }
}
