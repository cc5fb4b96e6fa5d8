import Foundation
import Hummingbird

extension Workbench {
    /// File types the notebooks' folder serves, with their content types.
    static let notebookFileTypes: [String: String] = ["svg": "image/svg+xml", "png": "image/png", "csv": "text/csv; charset=utf-8",
                                                      "md": "text/markdown; charset=utf-8"]

    func addNotebookRoutes(to router: Router<BasicRequestContext>) {
        let bench = self
        router.get("notebooks") { _, _ in
            let folder = bench.notebooks
            let database = bench.database
            let experiments = Set(((try? await Blocking.run { try database.experiments() }) ?? []).map(\.name))
            let readme: String? = try await Blocking.run { folder?.read("README.md", extensions: ["md"]).map { String(decoding: $0, as: UTF8.self) } }
            return Responses.html(NotebookPages.index(readme: readme, names: bench.notebookNames().sorted(), experiments: experiments, footer: bench.footer))
        }
        router.get("notebooks/files/**") { _, context in
            let relative = context.parameters.getCatchAll().joined(separator: "/")
            let ext = (relative as NSString).pathExtension.lowercased()
            guard let folder = bench.notebooks, let type = Self.notebookFileTypes[ext],
                  let bytes = try await Blocking.run({ folder.read(relative, extensions: Set(Self.notebookFileTypes.keys)) }) else {
                return Responses.notFound("No such file among the notebooks.", footer: bench.footer)
            }
            return Responses.body(bytes, type: type, cache: "no-cache")
        }
        router.get("notebooks/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let folder = bench.notebooks, bench.notebookNames().contains(name),
                  let bytes = try await Blocking.run({ folder.read(name + ".md", extensions: ["md"]) }) else {
                return Responses.notFound("No notebook named ‘\(name)’.", footer: bench.footer)
            }
            let database = bench.database
            let hasResults = ((try? await Blocking.run { try database.experiment(named: name) }) ?? nil) != nil
            let markdown = String(decoding: bytes, as: UTF8.self)
            return try await Blocking.run {
                Responses.html(NotebookPages.notebook(name: name, markdown: markdown, hasResults: hasResults, footer: bench.footer))
            }
        }
        router.get("experiments/:file") { _, context in
            let file = context.parameters.get("file") ?? ""
            guard let folder = bench.experiments,
                  let bytes = try await Blocking.run({ folder.read(file, extensions: ["yaml", "yml"]) }) else {
                return Responses.notFound("No experiment file named ‘\(file)’.", footer: bench.footer)
            }
            return Responses.html(NotebookPages.experimentFile(name: file, text: String(decoding: bytes, as: UTF8.self), footer: bench.footer))
        }
    }
}
