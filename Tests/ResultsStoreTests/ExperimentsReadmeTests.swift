import Foundation
import Testing

/// Experiments/README.md is a new user's index of the experiments: it lists every file there,
/// and the files its format example names exist.
@Suite struct ExperimentsReadmeTests {
    static let folder = Fixtures.projectRoot + "/Experiments"

    @Test func everyExperimentIsListed() throws {
        let readme = try String(contentsOfFile: Self.folder + "/README.md", encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 12)
        for file in files {
            #expect(readme.contains("| `\(file)` |"), "Experiments/README.md does not list \(file)")
        }
    }

    @Test func theFormatExampleNamesFilesThatExist() throws {
        let readme = try String(contentsOfFile: Self.folder + "/README.md", encoding: .utf8)
        let example = try #require(readme.components(separatedBy: "```yaml").dropFirst().first?.components(separatedBy: "```").first)
        let paths = example.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ").map(String.init)
            return words.first { $0.hasPrefix("Models/") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
        }
        #expect(paths.count >= 3)
        for path in paths {
            #expect(FileManager.default.fileExists(atPath: Fixtures.projectRoot + "/" + path), "the example names \(path), which does not exist")
        }
    }
}
