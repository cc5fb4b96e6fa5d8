import Foundation
import Hummingbird
import ModelFiles

extension Workbench {
    /// Every route: the pages, the what-if API, downloads, files of the notebooks and the assets.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let bench = self
        router.get("/") { _, _ in try await bench.homePage() }
        router.get("assets/workbench.css") { _, _ in
            Responses.body(Array(WorkbenchAssets.style.utf8), type: "text/css; charset=utf-8", cache: "no-cache")
        }
        router.get("assets/workbench.js") { _, _ in
            Responses.body(Array(WorkbenchAssets.script.utf8), type: "text/javascript; charset=utf-8", cache: "no-cache")
        }
        router.get("model") { _, _ in try await bench.withCatalog { ModelPage.render($0, footer: bench.footer) } }
        router.get("model/changes") { _, _ in try await bench.withCatalog { ModelPage.changes($0, footer: bench.footer) } }
        addWhatIfRoutes(to: router)
        addResultsRoutes(to: router)
        addNotebookRoutes(to: router)
        return router
    }

    /// A page built from the model files as they are now (read again for every page, so an
    /// edited file shows at once), or the files' errors when they no longer load.
    func withCatalog(_ page: @escaping @Sendable (ModelCatalog) -> String) async throws -> Response {
        let path = options.modelPath
        let footer = self.footer, catalogs = self.catalogs
        return try await Blocking.run {
            do {
                return Responses.html(page(try catalogs.catalog(modelPath: path)))
            } catch let error as ModelErrors {
                let lines = error.errors.map { "<li><code>\(HTML.escape($0.description))</code></li>" }.joined()
                return Responses.html(HTML.page(title: "Model errors", section: .model, footer: footer,
                                                body: "<h1>The model files do not load</h1><ul class=\"errors\">\(lines)</ul>"),
                                      status: .internalServerError)
            }
        }
    }

    func homePage() async throws -> Response {
        let database = self.database
        let experiments = (try? await Blocking.run { try database.experiments() }) ?? []
        let notebookCount = notebooks.map { $0.files(extensions: ["md"]).filter { $0 != "README.md" }.count } ?? 0
        let (running, waiting) = await queue.load
        var body = "<h1>PlatformSim workbench</h1>"
        body += "<p class=\"lead\">The simulator of the platform of “Scaling to 1M+ Users/Subscribers” (today's setup and the four roadmap phases), "
            + "as a page: look at the model, ask what-if questions against a baseline, browse the results database and read the notebooks.</p>"
        body += "<div class=\"cards\">"
        body += card(.model, "Every parameter of each configuration side by side, with its unit and its source or <em>assumption</em>, and what each phase changes.")
        body += card(.whatIf, "Change any parameter of a configuration at a user count and see p99, errors, the bottleneck and the cost against the unchanged baseline. "
            + "\(running) running, \(waiting) waiting.")
        body += card(.results, "\(experiments.count) experiment\(experiments.count == 1 ? "" : "s") in <code>\(HTML.escape(options.databasePath))</code>: tables, charts, every run.")
        body += card(.notebooks, "\(notebookCount) notebook\(notebookCount == 1 ? "" : "s"): each experiment explained from its numbers.")
        body += "</div>"
        return Responses.html(HTML.page(title: "Start", section: nil, footer: footer, body: body))
    }

    private func card(_ section: Section, _ text: String) -> String {
        "<a class=\"card\" href=\"\(section.path)\"><h2>\(section.title)</h2><p>\(text)</p></a>"
    }
}
