import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Workbench

/// Bad what-ifs get the command line's errors, each tied to its form field, and start nothing.
@Suite struct WhatIfFormTests {
    func errors(_ body: String) -> [(field: String?, line: String)] {
        (jsonObject(body)["errors"] as? [[String: Any]] ?? []).map { ($0["field"] as? String, $0["line"] as? String ?? "") }
    }

    @Test func modelErrorsBelongToTheirField() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let misspelt = try await client.page("/api/whatif", method: .post,
                json: #"{"configuration":"phase3","users":"1000","overrides":["database.pool.connectionLimt=3"]}"#)
            #expect(misspelt.status == .unprocessableContent)
            let e = errors(misspelt.body)
            #expect(e.count == 1)
            #expect(e.first?.field == "database.pool.connectionLimt")
            // The command line prints `error: ` before the override's own location.
            #expect(e.first?.line.hasPrefix("--set database.pool.connectionLimt=3: error: override sets 'database.pool.connectionLimt'") == true)
            #expect(e.first?.line.contains("(did you mean 'connectionLimit'?)") == true)

            let negative = try await client.page("/api/whatif", method: .post,
                json: #"{"configuration":"phase3","users":"1000","overrides":["database.pool.connectionLimit=-3"]}"#)
            let n = errors(negative.body)
            #expect(n.first?.field == "database.pool.connectionLimit")
            #expect(n.first?.line.contains("database.pool.connectionLimit must be") == true)

            let unknown = try await client.page("/api/whatif", method: .post, json: #"{"configuration":"phase9","users":"1000","overrides":[]}"#)
            #expect(errors(unknown.body).first?.field == "configuration")
            #expect(errors(unknown.body).first?.line.contains("unknown configuration 'phase9'") == true)
            let load = await bench.queue.load
            #expect(load.running == 0 && load.waiting == 0, "nothing was queued")
        }
    }

    @Test func requestFieldsAreCheckedLikeTheCommandLine() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let bad = try await client.page("/api/whatif", method: .post, json: """
                {"configuration":"phase3","users":"abc","replications":"0","durationS":"x","warmUpS":"-1","startHour":"25","seed":"-1","slo":"p99<300","overrides":[]}
                """)
            #expect(bad.status == .unprocessableContent)
            let byField = Dictionary(errors(bad.body).map { ($0.field ?? "", $0.line) }, uniquingKeysWith: { a, _ in a })
            #expect(byField["users"]?.hasPrefix("error: the value 'abc' is invalid for '--users <count>': must be a user count such as 300000, 300k or 1M") == true)
            #expect(byField["replications"] == "error: --replications must be between 1 and 10, got 0")
            #expect(byField["durationS"] == "error: the value 'x' is invalid for '--duration <seconds>'")
            #expect(byField["warmUpS"]?.hasPrefix("error: --warm-up must be between 0 and") == true)
            #expect(byField["startHour"] == "error: --start-hour must be between 0 and 24, got 25")
            #expect(byField["seed"] == "error: the value '-1' is invalid for '--seed <seed>'")
            #expect(byField["slo"] != nil)

            let tooMany = try await client.page("/api/whatif", method: .post, json: #"{"configuration":"phase3","users":"99999999","overrides":[]}"#)
            #expect(errors(tooMany.body).first?.line == "error: --users must be between 1 and 3000000, got 99999999")

            let notJSON = try await client.page("/api/whatif", method: .post, json: "{not json")
            #expect(notJSON.status == .badRequest)
            #expect(errors(notJSON.body).first?.line.hasPrefix("error: the request is not a what-if") == true)
        }
    }

    /// A what-if whose estimated work is past the limits' maxEvents is refused before it queues,
    /// saying how long it would take, as the command line does (issue 10).
    @Test func whatIfsTooLargeToFinishAreRefused() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let huge = try await client.page("/api/whatif", method: .post, json: """
                {"configuration":"phase3","users":"3M","replications":"10","durationS":"3600","overrides":["traffic.sessionsPerActiveUserPerDay=1000"]}
                """)
            #expect(huge.status == .unprocessableContent)
            let line = errors(huge.body).first?.line ?? ""
            #expect(line.hasPrefix("error: this what-if (20 runs) would simulate about ") && line.contains("maxEvents"), "\(line)")
            let load = await bench.queue.load
            #expect(load.running == 0 && load.waiting == 0, "nothing was queued")
        }
    }

    /// Another site open in the browser cannot start what-ifs: changes must be JSON requests.
    @Test func requestsThatAreNotJSONAreRefused() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            let body = #"{"configuration":"phase3","users":"1000","overrides":[]}"#
            let plain = try await client.execute(uri: "/api/whatif", method: .post, headers: [.contentType: "text/plain"],
                                                 body: ByteBuffer(string: body)) { $0.status }
            #expect(plain == .unsupportedMediaType)
            let form = try await client.execute(uri: "/api/whatif/w1/cancel", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded"]) { $0.status }
            #expect(form == .unsupportedMediaType)
            let load = await bench.queue.load
            #expect(load.running == 0 && load.waiting == 0)
        }
    }

    /// Keys whose values name files cannot be changed: the server reads no file it was not given.
    @Test func overridesCannotNameOtherFiles() async throws {
        let (bench, folder) = try makeWorkbench()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await bench.application().test(.router) { client in
            for o in ["pricing=/etc/passwd", "pricing=../../../../etc/passwd", "configurations.phase3=[/etc/passwd]", "configurations={x: [/etc/hostname]}"] {
                let r = try await client.page("/api/whatif", method: .post, json: #"{"configuration":"phase3","users":"1000","overrides":["\#(o)"]}"#)
                #expect(r.status == .unprocessableContent, "\(o)")
                #expect(errors(r.body).first?.line.contains("names model files") == true, "\(o)")
                #expect(!r.body.contains("root:"), "no file content in the answer")
            }
        }
    }
}
