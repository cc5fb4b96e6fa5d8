import ExperimentRunner
import Foundation
import ModelSchema
import Notebooks
import PlatformModel
import Reports
import ResultsStore
import Testing

/// Notebooks of a tiny experiment (a few thousand users, a one-minute window, a Mailgun
/// degradation and two variants), made in process: deterministic, complete.
@Suite struct NotebookTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func tinyExperiment(in folder: String) throws -> String {
        let path = folder + "/tiny.yaml"
        try """
        name: tiny
        question: Does a notebook come out whole and the same twice?
        model: \(root)/Models/platform.yaml
        configurations: [current, phase2]
        users: [3000, 10000]
        seeds: [1]
        window: {warmUpS: 5, durationS: 50}
        set:
          - faults.degradedService.enabled=true
          - faults.degradedService.startS=10
          - faults.degradedService.durationS=10
        variants:
          as-is: []
          redis-cache: [caches.dashboard.enabled=true, caches.dashboard.location=redis]
        slo: {p99Ms: 500, errorRate: 0.01}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the tiny experiment into an in-memory database and renders its notebook.
    static func notebook(_ experimentPath: String, jobs: Int) throws -> NotebookDocument {
        let experiment = try ExperimentFile.load(experimentPath)
        let plan = try SweepPlan.prepare(experiment, programVersion: "test")
        let db = try ResultsDatabase()
        _ = try db.begin(plan.record, replacing: true)
        try SweepRunner.run(plan.cells, into: db, jobs: jobs)
        let results = try #require(try db.results(experiment: experiment.name))
        var models: [ExperimentMetrics.CellKey: PlatformModel] = [:]
        for c in plan.cells { models[.init(c.key.configuration, c.key.variant, c.key.users)] = c.model }
        let input = try NotebookInput.make(experiment: experiment, experimentPath: experimentPath, results: results, models: models,
                                           markdownPath: "/tmp/unused/tiny.md", outOption: nil)
        return Notebook(input).render()
    }

    @Test func theSameExperimentGivesTheSameBytes() throws {
        let path = try Self.tinyExperiment(in: try Self.folder())
        let one = try Self.notebook(path, jobs: 1)
        let two = try Self.notebook(path, jobs: 2)
        #expect(one.markdown == two.markdown)
        #expect(one.charts.map(\.name) == two.charts.map(\.name))
        for (a, b) in zip(one.charts, two.charts) { #expect(a.svg == b.svg, "\(a.name)") }
        // Nothing that changes from one run to the next: no wall times, dates or temporary paths.
        #expect(!one.markdown.contains("wall"))
        #expect(!one.markdown.contains(FileManager.default.temporaryDirectory.path + "/notebook-"))
    }

    /// No finding repeats another's text (one cause's paragraph rendered under another's
    /// title), and the reading guide says what the SLO counts.
    @Test func findingsNeverRepeatAParagraph() throws {
        let md = try Self.notebook(try Self.tinyExperiment(in: try Self.folder()), jobs: 2).markdown
        let start = try #require(md.range(of: Notebook.Heading.findings)).upperBound
        let end = try #require(md.range(of: Notebook.Heading.charts)).lowerBound
        let paragraphs = md[start..<end].components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { $0.count > 80 && !$0.hasPrefix("###") }
        #expect(!paragraphs.isEmpty)
        let repeated = Dictionary(grouping: paragraphs, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "a finding's paragraph appears twice: \(repeated)")
        #expect(md.contains("false 429s (a user within their own limit refused because others behind the same IP used it up)"))
        #expect(md.contains("reported beside the SLO, not counted in it"))
    }

    /// The committed notebooks never say a long sentence twice: a finding renders its own
    /// cause, and a cause already given is referred to (two variants with the same runs).
    @Test func committedNotebooksNeverRepeatASentence() throws {
        let folder = URL(fileURLWithPath: Self.root).appendingPathComponent("Notebooks")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") && $0 != "README.md" }
        #expect(files.count > 5)
        for f in files {
            let text = try String(contentsOf: folder.appendingPathComponent(f), encoding: .utf8)
            let sentences = text.components(separatedBy: "\n").filter { !$0.hasPrefix("|") }
                .flatMap { $0.components(separatedBy: ". ") }.map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.count > 150 }
            let repeated = Dictionary(grouping: sentences, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            #expect(repeated.isEmpty, "\(f) repeats: \(repeated.map { String($0.prefix(100)) })")
        }
    }

    /// A line that meets the SLO on a volume its data has outgrown says so in the SLO finding:
    /// the volume's size is a hard limit the run shows in the bottleneck table, not as latency.
    /// Rows made large enough (4 kB of overhead each) that 30,000 users' data passes the
    /// largest volume; the volume-size sentence must follow the "meets" verdicts, once, and the
    /// saturation finding must call the limit the volume's size, not a busy server.
    @Test func aLineMeetingTheSLOOnAFullVolumeSaysSo() throws {
        let folder = try Self.folder()
        let path = folder + "/full-volume.yaml"
        try """
        name: full-volume
        question: Does the notebook say when the data outgrows the volume?
        model: \(Self.root)/Models/platform.yaml
        configurations: [phase3]
        users: [3000, 30000]
        seeds: [1]
        window: {warmUpS: 5, durationS: 40}
        set: [database.postgres.storagePerRowOverheadBytes=40000]
        slo: {p99Ms: 5000, errorRate: 0.05}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let md = try Self.notebook(path, jobs: 2).markdown
        let line = try #require(md.split(separator: "\n").first { $0.hasPrefix("- **phase3**") })
        #expect(line.contains("meets the SLO"), "\(line)")
        // Said once, after the lines, naming the line and where it starts.
        let said = md.components(separatedBy: "no longer fits `postgres-primary-volume`").count - 1
        #expect(said == 1, "said \(said) times")
        #expect(md.contains("The data of **phase3** from "), "the sentence names the line")
        #expect(!md.contains("component to saturate would be `postgres-primary-volume`"))
    }

    /// The notebooks' prose states no fact about a named configuration: what a phase does is
    /// read from its overlay, so an overlay that changes it changes the text. Checked on the
    /// string literals of the notebook sources (doc comments aside).
    @Test func notebookSourcesNameNoConfiguration() throws {
        let folder = Self.root + "/Sources/Notebooks"
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//") else { continue }
                for name in ["phase 1", "phase 2", "phase 3", "phase 4", "phase1", "phase2", "phase3", "phase4", "`current`"] {
                    #expect(!code.lowercased().contains(name), "\(file):\(n + 1) names `\(name)` in text a notebook prints")
                }
            }
        }
    }

    @Test func hasEverySectionTheChartsAndLittlesLaw() throws {
        let doc = try Self.notebook(try Self.tinyExperiment(in: try Self.folder()), jobs: 2)
        let md = doc.markdown
        for heading in [Notebook.Heading.question, Notebook.Heading.run, Notebook.Heading.findings, Notebook.Heading.charts,
                        Notebook.Heading.timeSeries, Notebook.Heading.tables, Notebook.Heading.littlesLaw, Notebook.Heading.model] {
            #expect(md.contains("\n" + heading + "\n"), "missing \(heading)")
        }
        #expect(md.contains("Does a notebook come out whole and the same twice?"))
        #expect(md.contains(".build/release/platform-sim notebook tiny.yaml"))
        // The tables of `report`, and the Little's law table with a row per station.
        for title in ["### Bottlenecks", "### Monthly cost (USD)", "### Configurations side by side", "### Components at a glance"] {
            #expect(md.contains(title), "missing \(title)")
        }
        #expect(md.contains("| configuration | users | station | L (mean inside) | λ (per s) | W (ms) | λ × W | difference |"))
        #expect(md.contains("| current / as-is | 10k | api |"))
        #expect(md.contains("| current / as-is | 10k | postgres-primary |"))
        // Findings written from the numbers, with the mechanism behind today's false 429s.
        #expect(md.contains("### 1. Where each configuration meets the SLO"))
        #expect(md.contains("false 429s"))
        #expect(md.contains("office NAT"))
        // Charts against users, a chart through the degradation, each linked from the notebook.
        let names = doc.charts.map(\.name)
        for name in ["latency", "errors", "cost", "utilization-current", "timeline-phase2-as-is-10k"] {
            #expect(names.contains(name), "missing chart \(name)")
        }
        for c in doc.charts {
            #expect(md.contains("](tiny/\(c.name).svg)"), "\(c.name) not linked")
            #expect(c.svg.hasPrefix("<?xml"))
        }
        // The assumption table names a known assumption and a known sourced value.
        #expect(md.contains("| `sessionsPerActiveUserPerDay` | `5` | assumption |"))
        #expect(md.contains("| `dailyActiveFraction` | `0.15` | sourced |"))
    }
}
