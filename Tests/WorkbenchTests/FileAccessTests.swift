import Foundation
import HummingbirdTesting
import Testing
@testable import Workbench

/// The server reads no file outside the folders it was given, however a request spells the path.
@Suite struct FileAccessTests {
    /// A notebooks folder with a chart, a hidden file, and links to a secret outside it.
    func fixture() throws -> (root: String, notebooks: String) {
        let root = try temporaryFolder()
        let notebooks = root + "/notebooks", outside = root + "/outside"
        for f in [notebooks + "/demo", outside] { try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true) }
        try "# Demo\n\n![chart](demo/chart.svg)\n".write(toFile: notebooks + "/demo.md", atomically: true, encoding: .utf8)
        try "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".write(toFile: notebooks + "/demo/chart.svg", atomically: true, encoding: .utf8)
        try "SECRET".write(toFile: outside + "/secret.svg", atomically: true, encoding: .utf8)
        try "SECRET".write(toFile: outside + "/secret.md", atomically: true, encoding: .utf8)
        try "SECRET".write(toFile: notebooks + "/.hidden.svg", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: notebooks + "/link.svg", withDestinationPath: outside + "/secret.svg")
        try FileManager.default.createSymbolicLink(atPath: notebooks + "/escape.md", withDestinationPath: "../outside/secret.md")
        try FileManager.default.createSymbolicLink(atPath: notebooks + "/up", withDestinationPath: outside)
        return (root, notebooks)
    }

    @Test func traversalAttemptsFind404s() async throws {
        let (root, notebooks) = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (bench, folder) = try makeWorkbench(notebooks: notebooks)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            #expect(try await client.page("/notebooks/files/demo/chart.svg").status == .ok)
            #expect(try await client.page("/notebooks/demo").body.contains("src=\"/notebooks/files/demo/chart.svg\""))
            let attempts = [
                "/notebooks/files/../outside/secret.svg", "/notebooks/files/demo/../../outside/secret.svg",
                "/notebooks/files/%2e%2e/outside/secret.svg", "/notebooks/files/%2E%2E%2Foutside%2Fsecret.svg",
                "/notebooks/files/..%2foutside%2fsecret.svg", "/notebooks/files/link.svg", "/notebooks/files/up/secret.svg",
                "/notebooks/files/.hidden.svg", "/notebooks/files//etc/passwd", "/notebooks/files/%2fetc%2fpasswd",
                "/notebooks/files/demo.md%00.svg", "/notebooks/escape", "/notebooks/..%2foutside%2fsecret",
                "/notebooks/files/demo\\..\\..\\outside\\secret.svg",
                "/experiments/..%2fModels%2fplatform.yaml", "/experiments/../Models/platform.yaml", "/experiments/%2e%2e%2fREADME.md",
                "/experiments/%2fetc%2fpasswd", "/notebooks/files/" + String(repeating: "a/", count: 600) + "x.svg",
            ]
            for uri in attempts {
                let page = try await client.page(uri)
                #expect(page.status == .notFound, "\(uri) answered \(page.status)")
                #expect(!page.body.contains("SECRET") && !page.body.contains("root:x:"), "\(uri) leaked a file")
            }
        }
    }

    @Test func servedFolderResolvesInsideOnly() throws {
        let (root, notebooks) = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try #require(ServedFolder(notebooks))
        #expect(folder.file("demo/chart.svg", extensions: ["svg"]) != nil)
        #expect(folder.file("demo/chart.svg", extensions: ["png"]) == nil, "only the types asked for")
        for bad in ["../outside/secret.svg", "link.svg", "up/secret.svg", ".hidden.svg", "/etc/passwd", "demo//chart.svg", "demo/./chart.svg", ""] {
            #expect(folder.file(bad, extensions: ["svg", "md"]) == nil, "\(bad)")
        }
        #expect(folder.files(extensions: ["md"]) == ["demo.md"], "a link leading out is not listed")
        #expect(ServedFolder(root + "/missing") == nil)
    }
}
