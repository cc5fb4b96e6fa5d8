import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Workbench

/// The repository's root (models, experiments, notebooks), found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "workbench-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A workbench over the repository's model files, experiments and notebooks, with its own
/// results database in a temporary folder; small defaults so that runs take a second or two.
func makeWorkbench(limits: WorkbenchLimits? = nil, notebooks: String? = nil) throws -> (Workbench, String) {
    let folder = try temporaryFolder()
    var options = WorkbenchOptions(programVersion: "test")
    options.port = 0
    options.modelPath = repositoryRoot + "/Models/platform.yaml"
    options.experimentsFolder = repositoryRoot + "/Experiments"
    options.notebooksFolder = notebooks ?? repositoryRoot + "/Notebooks"
    options.databasePath = folder + "/results.sqlite"
    options.limits = limits ?? smallLimits()
    return (try Workbench(options: options), folder)
}

func smallLimits() -> WorkbenchLimits {
    var l = WorkbenchLimits()
    l.defaultUsers = 2000
    l.defaultReplications = 2
    l.defaultDurationS = 20
    l.defaultWarmUpS = 10
    l.disconnectGraceS = 0.2
    return l
}

struct Page {
    var status: HTTPResponse.Status
    var body: String
    var headers: HTTPFields
}

extension TestClientProtocol {
    func page(_ uri: String, method: HTTPRequest.Method = .get, json: String? = nil) async throws -> Page {
        try await execute(uri: uri, method: method, headers: json == nil ? [:] : [.contentType: "application/json"],
                          body: json.map { ByteBuffer(string: $0) }) { response in
            Page(status: response.status, body: String(buffer: response.body), headers: response.headers)
        }
    }

    /// Submits a what-if and waits (at most `timeout` seconds) until it has ended; returns its id and status JSON.
    func runWhatIf(_ json: String, timeout: Double = 120) async throws -> (id: String, status: [String: Any]) {
        let submitted = try await page("/api/whatif", method: .post, json: json)
        #expect(submitted.status == .accepted, "\(submitted.body)")
        let id = try #require(try JSONSerialization.jsonObject(with: Data(submitted.body.utf8)) as? [String: Any])["id"] as! String
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            let status = try JSONSerialization.jsonObject(with: Data(try await page("/api/whatif/\(id)").body.utf8)) as! [String: Any]
            if let phase = status["phase"] as? String, ["finished", "cancelled", "failed"].contains(phase) { return (id, status) }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("what-if \(id) did not end within \(timeout) s")
        return (id, [:])
    }
}

func jsonObject(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}
