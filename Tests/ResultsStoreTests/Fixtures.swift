import Foundation
import ModelSchema
import PlatformModel
@testable import ResultsStore
import ExperimentRunner

/// Shared test data: the project's model, tiny experiment files and runs.
enum Fixtures {
    static let projectRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let modelPath = projectRoot + "/Models/platform.yaml"

    /// A fresh folder for one test's files.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("results-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `name` in a fresh folder and returns its path.
    static func file(_ name: String, _ text: String) throws -> String {
        let path = try folder() + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A tiny experiment: small user counts and a short window, so a run takes a few
    /// milliseconds even in a debug build.
    static func tinyExperiment(name: String = "tiny", users: [Int] = [300, 600], seeds: String = "seeds: [1, 2]",
                               extra: String = "") -> String {
        """
        name: \(name)
        question: Does the sweep work?
        model: \(modelPath)
        configurations: [current, phase2]
        users: [\(users.map(String.init).joined(separator: ", "))]
        \(seeds)
        window: {warmUpS: 5, durationS: 20}
        slo: {p99Ms: 1000, errorRate: 0.01}
        \(extra)
        """
    }

    static func tinyPlan(users: [Int] = [300, 600]) throws -> SweepPlan {
        let path = try file("tiny.yaml", tinyExperiment(users: users))
        return try SweepPlan.prepare(try ExperimentFile.load(path), programVersion: "test")
    }

    /// One real run of the tiny experiment, converted to records.
    static func storedRun() throws -> StoredRun {
        SweepRunner.run(try tinyPlan(users: [300]).cells[0])
    }

    /// A database with the tiny experiment's row, ready for runs.
    static func database(for plan: SweepPlan) throws -> ResultsDatabase {
        let db = try ResultsDatabase()
        try db.begin(plan.record, replacing: true)
        return db
    }

    /// Every row of an experiment with the wall time (the one figure that varies between identical runs) cleared.
    static func deterministicRows(_ db: ResultsDatabase, _ experiment: String) throws -> [StoredRun] {
        try db.storedRuns(experiment: experiment).map { r in
            var r = r
            r.run.wallS = 0
            return r
        }
    }
}
