import Foundation
import ModelFiles
import ModelSchema
import ExperimentRunner
import Testing

@Suite struct ExperimentFileTests {
    @Test func readsAGridWithVariantsAndCells() throws {
        let path = try Fixtures.file("grid.yaml", Fixtures.tinyExperiment(seeds: "replications: 3\nseed: 7", extra: """
            set: [database.pool.connectionLimit=15]
            variants:
              sync-email: []
              bigger-pool: [database.pool.connectionLimit=40]
            cells:
              - configurations: [phase2]
                users: [600]
                set: [rateLimiters.global.limit=500]
            """))
        let e = try ExperimentFile.load(path)
        #expect(e.name == "tiny")
        #expect(e.configurations == ["current", "phase2"])
        #expect(e.users == [300, 600])
        #expect(e.seeds.map(\.seed) == [7, 7, 7])
        #expect(e.seeds.map(\.replication) == [0, 1, 2])
        #expect(e.variants.map(\.name) == ["sync-email", "bigger-pool"])
        #expect(e.window == .init(warmUpS: 5, durationS: 20, startHour: nil))
        #expect(e.slo == .init(p99Ms: 1000, errorRate: 0.01))
        #expect(e.overrides(configuration: "current", users: 600, variant: "bigger-pool")
                == ["database.pool.connectionLimit=15", "database.pool.connectionLimit=40"])
        #expect(e.overrides(configuration: "phase2", users: 600, variant: "sync-email")
                == ["database.pool.connectionLimit=15", "rateLimiters.global.limit=500"])
        #expect(e.overrides(configuration: "phase2", users: 300, variant: "sync-email") == ["database.pool.connectionLimit=15"])

        let plan = try SweepPlan.prepare(e, programVersion: "test")
        #expect(plan.cells.count == 2 * 2 * 2 * 3)
        #expect(Set(plan.cells.map(\.key)).count == plan.cells.count)
        #expect(plan.cells.allSatisfy { $0.model.traffic.users == $0.key.users })
        // The model hash covers the overrides: variants differ, seeds of one cell do not.
        let hashes = Dictionary(grouping: plan.cells, by: { "\($0.key.configuration)/\($0.key.variant)/\($0.key.users)" })
            .mapValues { Set($0.map(\.provenance.modelSHA256)) }
        #expect(hashes.values.allSatisfy { $0.count == 1 })
        let distinct: Set<String> = Set(hashes.values.compactMap { $0.first })
        // current: one per variant; phase2: one per variant and per user count (600 has a cell override).
        #expect(distinct.count == 2 + 2 * 2)
    }

    @Test func theRoadmapExperimentReads() throws {
        let e = try ExperimentFile.load(Fixtures.projectRoot + "/Experiments/roadmap.yaml")
        #expect(e.configurations == ["current", "phase1", "phase2", "phase3", "phase4"])
        #expect(e.users == [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000])
        #expect(e.model == "Models/platform.yaml")
        #expect(e.modelPath == Fixtures.projectRoot + "/Models/platform.yaml")
    }

    /// Each bad file gives errors at the line and column of the problem.
    @Test(arguments: [
        ("configurations: [current, phase9]", "configurations: [current, phase2]", 4, 27, "is an unknown configuration 'phase9'"),
        ("users: [0]", "users: [300, 600]", 5, 9, "users[0] must be between 1 and"),
        ("users: [300, 300]", "users: [300, 600]", 5, 14, "repeats the user count 300"),
        ("configuraions: [current]", "configurations: [current, phase2]", 4, 1, "is 'configuraions' a misspelling of it?"),
        ("model: Models/nothere.yaml", "model: \(Fixtures.modelPath)", 3, 8, "names no file"),
        ("window: {warmUpS: 5, durationS: -1}", "window: {warmUpS: 5, durationS: 20}", 7, 33, "window.durationS must be between 1 and"),
        ("slo: {p99Ms: 1000}", "slo: {p99Ms: 1000, errorRate: 0.01}", 8, 1, "missing required key 'slo.errorRate'"),
        ("name: has space", "name: tiny", 1, 7, "name must be 1 to 100 letters"),
    ] as [(String, String, Int, Int, String)])
    func errorsAreLocated(bad: String, replacing good: String, line: Int, column: Int, message: String) throws {
        let text = Fixtures.tinyExperiment().replacingOccurrences(of: good, with: bad)
        #expect(text != Fixtures.tinyExperiment())
        let path = try Fixtures.file("bad.yaml", text)
        let errors = try #require(throws: ModelErrors.self) { try ExperimentFile.load(path) }
        let first = try #require(errors.errors.first)
        #expect(first.location == ModelLocation(file: path, line: line, column: column), "\(errors)")
        #expect(first.description.hasPrefix("\(path):\(line):\(column): error: "))
        #expect(first.message.contains(message), "\(first.message)")
    }

    @Test func moreErrorsAreLocated() throws {
        func firstError(_ text: String) throws -> ModelError {
            let path = try Fixtures.file("bad.yaml", text)
            let errors = try #require(throws: ModelErrors.self) { try ExperimentFile.load(path) }
            return try #require(errors.errors.first)
        }
        let both = try firstError(Fixtures.tinyExperiment(seeds: "seeds: [1]\nreplications: 2"))
        #expect(both.location?.line == 6 && both.message.contains("cannot both be given"))
        let neither = try firstError(Fixtures.tinyExperiment(seeds: ""))
        #expect(neither.message.contains("missing required key 'seeds'"))
        let cell = try firstError(Fixtures.tinyExperiment(extra: "cells:\n  - users: [999]\n    set: [a=1]"))
        #expect(cell.location?.line == 10 && cell.location?.column == 13 && cell.message.contains("999"))
        let variant = try firstError(Fixtures.tinyExperiment(extra: "variants:\n  a: [nokey]"))
        #expect(variant.location?.line == 10 && variant.message.contains("must be KEY.PATH=VALUE"))
        let unknown = try firstError(Fixtures.tinyExperiment(extra: "sett: [a=1]"))
        #expect(unknown.location?.line == 9 && unknown.location?.column == 1 && unknown.message.contains("unknown key 'sett'"))
        let yaml = try firstError(Fixtures.tinyExperiment(extra: "set: [a=1"))
        #expect((yaml.location?.line ?? 0) >= 9, "\(yaml)")
    }

    @Test func aMissingFileIsNamed() throws {
        let errors = try #require(throws: ModelErrors.self) { try ExperimentFile.load("/nonexistent/x.yaml") }
        #expect(errors.description == "/nonexistent/x.yaml: error: no such file")
    }

    /// An override the model does not have is reported where the experiment file wrote it.
    @Test func modelErrorsFromOverridesPointAtTheExperimentFile() throws {
        let path = try Fixtures.file("bad.yaml", Fixtures.tinyExperiment(extra: "set:\n  - api.instance.vcpux=4"))
        let e = try ExperimentFile.load(path)
        let errors = try #require(throws: ModelErrors.self) { try SweepPlan.prepare(e, programVersion: "test") }
        let first = try #require(errors.errors.first)
        #expect(first.location == ModelLocation(file: path, line: 10, column: 5), "\(errors)")
        #expect(first.message.contains("vcpux"))
    }

    // MARK: overlays

    /// `overlays:` applies extra overlay files after each configuration's own: a scenario can
    /// switch on the hot global cache key and change an endpoint's steps.
    @Test func extraOverlaysApplyAfterTheConfigurations() throws {
        let folder = try Fixtures.folder()
        try FileManager.default.createDirectory(atPath: folder + "/Models/scenarios", withIntermediateDirectories: true)
        try "name: marker\n".write(toFile: folder + "/Package.swift", atomically: true, encoding: .utf8)
        try """
            caches:
              featureFlags:
                enabled: true
                ttlS: 5
            endpoints:
              dashboard:
                steps:
                  - cacheLookup: featureFlags
                  - query: userLookup
                  - cacheFill: featureFlags
                  - cpuMs: lognormal:0.4,0.5
            """.write(toFile: folder + "/Models/scenarios/stampede.yaml", atomically: true, encoding: .utf8)
        let path = folder + "/tiny.yaml"
        try Fixtures.tinyExperiment(extra: "overlays: [Models/scenarios/stampede.yaml]").write(toFile: path, atomically: true, encoding: .utf8)
        let e = try ExperimentFile.load(path)
        #expect(e.overlays == ["Models/scenarios/stampede.yaml"])
        #expect(e.overlayPaths == [folder + "/Models/scenarios/stampede.yaml"])
        let plan = try SweepPlan.prepare(e, programVersion: "test")
        for cell in plan.cells {
            let flags = try #require(cell.model.caches.first { $0.name == "featureFlags" })
            #expect(flags.enabled && flags.ttl == 5)
            let dashboard = try #require(cell.model.endpoints.first { $0.name == "dashboard" })
            // The overlay's steps replaced the dashboard's own (phase 2 puts its hot-data read,
            // `api.authenticatedSteps`, in front of every authenticated endpoint's).
            let dashboardCache = try #require(cell.model.caches.first { $0.name == "dashboard" })
            #expect(dashboard.steps.contains(.cacheLookup(cache: flags.index)))
            #expect(!dashboard.steps.contains(.cacheLookup(cache: dashboardCache.index)))
        }
        // The overlay is part of the model hash, so --resume reruns cells when it changes.
        let without = try SweepPlan.prepare(try ExperimentFile.load(try Fixtures.file("plain.yaml", Fixtures.tinyExperiment())), programVersion: "test")
        #expect(plan.cells[0].provenance.modelSHA256 != without.cells[0].provenance.modelSHA256)
    }

    @Test func aMissingOverlayIsALocatedError() throws {
        let path = try Fixtures.file("missing.yaml", Fixtures.tinyExperiment(extra: "overlays:\n  - Models/scenarios/nowhere.yaml"))
        let errors = try #require(throws: ModelErrors.self) { try ExperimentFile.load(path) }
        #expect(errors.errors.count == 1)
        let first = try #require(errors.errors.first)
        #expect(first.location == ModelLocation(file: path, line: 10, column: 5), "\(errors)")
        #expect(first.message.contains("names no file: 'Models/scenarios/nowhere.yaml'"), "\(errors)")
        #expect(errors.description.hasPrefix("\(path):10:5: error: "))
    }

    @Test func anOverlaySettingAnUnknownKeyPointsAtTheOverlay() throws {
        let overlay = try Fixtures.file("bad-overlay.yaml", "caches:\n  dashbord:\n    ttlS: 5\n")
        let path = try Fixtures.file("uses.yaml", Fixtures.tinyExperiment(extra: "overlays: [\(overlay)]"))
        let e = try ExperimentFile.load(path)
        let errors = try #require(throws: ModelErrors.self) { try SweepPlan.prepare(e, programVersion: "test") }
        #expect(errors.errors.first?.location?.file == overlay, "\(errors)")
        #expect(errors.description.contains("dashbord"))
    }
}
