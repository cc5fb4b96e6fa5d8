import ArgumentParser
import Foundation
import ResultsStore

extension PlatformSim {
    /// `platform-sim merge`: the shards of a sweep into one results database.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combines results databases (the shards of a sweep) into one, for report and notebook.",
            discussion: """
                Runs are keyed by experiment, configuration, variant, users, seed and replication. \
                OUT is created, or added to when it exists; a run it already holds is left alone \
                when it is the same run, so merging a shard twice changes nothing. The merge is \
                refused, with one line naming the file, when the inputs were made from different \
                experiment, model or pricing files (their SHA-256 differ) or by different versions \
                of platform-sim, or hold different results for one run. It is atomic: it is made in \
                a temporary file beside OUT and renamed over it only when it succeeded, so a failed \
                merge leaves OUT as it was. The inputs are only read. Then it prints, per \
                experiment, how many of the grid's runs OUT holds and which shards are missing.
                """)

        @Argument(help: ArgumentHelp("The merged results database, created or added to.", valueName: "out"))
        var out: String

        @Argument(help: ArgumentHelp("The results databases to merge, such as shard-1.sqlite shard-2.sqlite.", valueName: "database"))
        var databases: [String] = []

        @Flag(help: "Fail, writing nothing, unless every experiment merged ends up with all the runs of its grid.")
        var requireComplete = false

        func validate() throws {
            guard !databases.isEmpty else { throw ValidationError("give at least one database to merge into '\(out)'") }
        }

        func run() throws {
            // Names the program would not have written are refused before anything is merged:
            // a merged database is what report and notebook read.
            for path in databases where FileManager.default.fileExists(atPath: path) {
                guard let database = try? ResultsDatabase(path: path, access: .read) else { continue }  // merge says why
                try database.checkStoredNames(path: path)
            }
            let report = try ResultsDatabase.merge(databases, into: out, requireComplete: requireComplete)
            let inputs = databases.count == 1 ? "1 database" : "\(databases.count) databases"
            print("merged \(inputs) into \(out): \(report.added) runs added, \(report.alreadyThere) already there")
            for e in report.experiments {
                print("\(e.name): \(e.isComplete ? "complete" : "incomplete"): \(e.statusText)")
            }
        }
    }
}
