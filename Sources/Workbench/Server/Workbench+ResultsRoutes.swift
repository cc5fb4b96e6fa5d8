import Foundation
import Hummingbird
import ResultsStore

extension Workbench {
    func addResultsRoutes(to router: Router<BasicRequestContext>) {
        let bench = self
        router.get("results") { _, _ in
            let database = bench.database
            let (experiments, counts) = try await Blocking.run { () throws -> ([ExperimentRecord], [String: Int]) in
                let list = try database.experiments()
                var counts: [String: Int] = [:]
                for e in list { counts[e.name] = try database.runRecords(experiment: e.name).count }
                return (list, counts)
            }
            return Responses.html(ResultsPages.list(experiments, runCounts: counts, notebooks: bench.notebookNames(), footer: bench.footer))
        }
        router.get("results/:experiment") { request, context in
            guard let results = try await bench.results(context) else { return bench.noExperiment(context) }
            let filter = ResultsFilter { request.uri.queryParameters.get($0) }
            let hasNotebook = bench.notebookNames().contains(results.experiment.name)
            return try await Blocking.run {
                Responses.html(ResultsPages.experiment(results, filter: filter, hasNotebook: hasNotebook, footer: bench.footer))
            }
        }
        router.get("results/:experiment/run") { request, context in
            guard let results = try await bench.results(context) else { return bench.noExperiment(context) }
            let q = request.uri.queryParameters
            let run = results.runs.first { s in
                let k = s.key
                return k.configuration == q.get("configuration") && k.variant == q.get("variant") && String(k.users) == q.get("users")
                    && String(k.seed) == q.get("seed") && String(k.replication) == q.get("replication")
            }
            guard let run else { return Responses.notFound("The experiment has no such run.", footer: bench.footer) }
            return Responses.html(RunPage.render(run, experiment: results.experiment, footer: bench.footer))
        }
        router.get("results/:experiment/download/:file") { request, context in
            guard let results = try await bench.results(context) else { return bench.noExperiment(context) }
            let file = context.parameters.get("file") ?? ""
            let filtered = ResultsFilter { request.uri.queryParameters.get($0) }.apply(results)
            guard let (text, type) = try ResultsDownloads.file(file, results: filtered) else {
                return Responses.notFound("No download named \(file).", footer: bench.footer)
            }
            return Responses.text(text, type: type, download: "\(results.experiment.name)-\(file)")
        }
    }

    /// The experiment the route names, read in full, or nil.
    func results(_ context: BasicRequestContext) async throws -> ExperimentResults? {
        guard let name = context.parameters.get("experiment") else { return nil }
        let database = self.database
        return try await Blocking.run { try database.results(experiment: name) }
    }

    func noExperiment(_ context: BasicRequestContext) -> Response {
        Responses.notFound("The results database has no experiment named ‘\(context.parameters.get("experiment") ?? "")’.", footer: footer)
    }

    /// The notebooks' names (files `NAME.md` of the notebooks folder, README aside).
    func notebookNames() -> Set<String> {
        Set((notebooks?.files(extensions: ["md"]) ?? []).filter { $0 != "README.md" }.map { String($0.dropLast(3)) })
    }
}
