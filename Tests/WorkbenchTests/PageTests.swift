import Foundation
import HummingbirdTesting
import Testing
@testable import Workbench

/// The pages a person opens, on the repository's own model files and notebooks.
@Suite struct PageTests {
    @Test func everyPageAnswersWithItsContent() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let home = try await client.page("/")
            #expect(home.status == .ok)
            for section in ["/model", "/whatif", "/results", "/notebooks"] { #expect(home.body.contains("href=\"\(section)\"")) }

            let model = try await client.page("/model")
            #expect(model.status == .ok)
            for config in ["current", "phase1", "phase2", "phase3", "phase4"] { #expect(model.body.contains("<th class=\"num\">\(config)</th>")) }
            #expect(model.body.contains("data-path=\"database.pool.connectionLimit\""))
            #expect(model.body.contains("<span class=\"label assumption\">assumption</span>"))
            #expect(model.body.contains("<td>ms</td>"), "units from key names")

            let changes = try await client.page("/model/changes")
            #expect(changes.body.contains("id=\"changes-phase3\""))
            // phase3.yaml sets the pool to 2 connections ("1-2 connections per app instance", §1).
            let phase3 = String(changes.body[changes.body.range(of: "id=\"changes-phase3\"")!.lowerBound...])
            #expect(phase3.contains("<code>database.pool.connectionLimit</code></td><td>20</td><td><strong>2</strong>"))

            let whatIf = try await client.page("/whatif")
            #expect(whatIf.body.contains("<option value=\"phase3\" selected>"))
            #expect(whatIf.body.contains("name=\"database.pool.connectionLimit\" id=\"param-database.pool.connectionLimit\" value=\"2\""))
            #expect(!whatIf.body.contains("name=\"pricing\""), "file keys are not editable")

            let css = try await client.page("/assets/workbench.css")
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let js = try await client.page("/assets/workbench.js")
            #expect(js.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(!js.body.contains("http://") && !js.body.contains("https://"), "no external addresses")
            for page in [home, model, whatIf] { #expect(!page.body.contains("https://"), "pages load nothing from outside") }
        }
    }

    @Test func notebooksRenderWithTheirChartsAndLinks() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let index = try await client.page("/notebooks")
            #expect(index.status == .ok)
            #expect(index.body.contains("href=\"/notebooks/roadmap\""))
            let roadmap = try await client.page("/notebooks/roadmap")
            #expect(roadmap.status == .ok)
            #expect(roadmap.body.contains("<h2>The question</h2>"))
            #expect(roadmap.body.contains("<table>"), "markdown tables become tables")
            #expect(roadmap.body.contains("src=\"/notebooks/files/roadmap/latency.svg\""))
            let chart = try await client.page("/notebooks/files/roadmap/latency.svg")
            #expect(chart.status == .ok)
            #expect(chart.headers[.contentType] == "image/svg+xml")
            #expect(chart.body.contains("<svg"))
            let experiment = try await client.page("/experiments/roadmap.yaml")
            #expect(experiment.status == .ok)
            #expect(experiment.body.contains("configurations"))
            #expect(try await client.page("/notebooks/no-such-notebook").status == .notFound)
        }
    }

    @Test func notebookAddressesAreRewrittenToTheWorkbench() {
        #expect(NotebookPages.address("roadmap/latency.svg") == "/notebooks/files/roadmap/latency.svg")
        #expect(NotebookPages.address("rate-limits.md") == "/notebooks/rate-limits")
        #expect(NotebookPages.address("rate-limits.md#findings") == "/notebooks/rate-limits#findings")
        #expect(NotebookPages.address("../Experiments/roadmap.yaml") == "/experiments/roadmap.yaml")
        #expect(NotebookPages.address("#what-was-run") == "#what-was-run")
        #expect(NotebookPages.address("https://example.org/x") == "https://example.org/x")
    }

    @Test func unitsComeFromKeyNames() {
        #expect(ParameterUnit.unit(ofPath: "api.requestTimeoutMs") == "ms")
        #expect(ParameterUnit.unit(ofPath: "traffic.spike.durationS") == "s")
        #expect(ParameterUnit.unit(ofPath: "redis.commandTimeUs") == "µs")
        #expect(ParameterUnit.unit(ofPath: "api.instance.memoryGB") == "GB")
        #expect(ParameterUnit.unit(ofPath: "api.instance.vcpu") == nil)
        #expect(ParameterUnit.unit(ofPath: "storage.readIOPS") == "IOPS")
    }
}
