import Foundation
import Formatting
import Hummingbird
import PlatformModel
import ResultsStore

extension Workbench {
    func addWhatIfRoutes(to router: Router<BasicRequestContext>) {
        let bench = self
        router.get("whatif") { _, _ in
            try await bench.withCatalog { WhatIfPage.render($0, limits: bench.options.limits, job: nil, footer: bench.footer) }
        }
        router.get("whatif/:id") { _, context in
            guard let id = context.parameters.get("id"), let job = await bench.queue.job(id) else {
                return Responses.notFound("No what-if with this number is kept (they are kept in memory until the server stops; saved ones are under Results).", footer: bench.footer)
            }
            return try await bench.withCatalog { WhatIfPage.render($0, limits: bench.options.limits, job: job, footer: bench.footer) }
        }
        router.get("whatif/:id/result") { _, context in
            guard let id = context.parameters.get("id"), let job = await bench.queue.job(id) else {
                return Responses.text("error: no such what-if\n", status: .notFound)
            }
            guard let outcome = job.outcome else { return Responses.text("error: the what-if has no result (\(job.phase.rawValue))\n", status: .conflict) }
            return Responses.html(WhatIfResultView.render(job: job, outcome: outcome))
        }
        router.post("api/whatif") { request, _ in
            if let refused = Self.refuseUnlessJSON(request) { return refused }
            return try await bench.submit(request)
        }
        router.post("api/baseline") { request, _ in
            if let refused = Self.refuseUnlessJSON(request) { return refused }
            return try await bench.prefetch(request)
        }
        router.get("api/whatif/:id") { _, context in
            guard let id = context.parameters.get("id"), let status = await bench.queue.status(id) else {
                return Responses.text("error: no such what-if\n", status: .notFound)
            }
            return Responses.json(status)
        }
        router.get("api/whatif/:id/events") { _, context in
            guard let id = context.parameters.get("id"), let job = await bench.queue.job(id) else {
                return Responses.text("error: no such what-if\n", status: .notFound)
            }
            return bench.events(job)
        }
        router.post("api/whatif/:id/cancel") { request, context in
            if let refused = Self.refuseUnlessJSON(request) { return refused }
            guard let id = context.parameters.get("id"), await bench.queue.job(id) != nil else {
                return Responses.text("error: no such what-if\n", status: .notFound)
            }
            let cancelled = await bench.queue.cancel(id, reason: "cancelled from the page")
            return Responses.json(["cancelled": cancelled])
        }
        router.get("api/whatif/:id/result.json") { _, context in
            guard let id = context.parameters.get("id"), let job = await bench.queue.job(id), let outcome = job.outcome else {
                return Responses.text("error: no such finished what-if\n", status: .notFound)
            }
            return Responses.json(WhatIfDocument(job: job, outcome: outcome, version: bench.options.programVersion), download: "whatif-\(id).json")
        }
        router.post("api/whatif/:id/save") { request, context in
            if let refused = Self.refuseUnlessJSON(request) { return refused }
            guard let id = context.parameters.get("id"), let job = await bench.queue.job(id) else {
                return Responses.text("error: no such what-if\n", status: .notFound)
            }
            return try await bench.save(job, request)
        }
    }

    /// Requests that change something must say they are JSON: a browser sends that header
    /// across sites only after asking (CORS), which this server never allows, so another
    /// site open in the browser cannot start, cancel or save what-ifs here.
    static func refuseUnlessJSON(_ request: Request) -> Response? {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard !type.hasPrefix("application/json") else { return nil }
        return Responses.errors([FieldError(field: nil, line: "error: expected a JSON request (Content-Type: application/json)")],
                                status: .unsupportedMediaType)
    }

    /// Checks a what-if (the request, then both models, as the command line would), answers
    /// with the analytic tables at once and queues the simulation.
    func submit(_ request: Request) async throws -> Response {
        let bytes: ByteBuffer
        do { bytes = try await request.body.collect(upTo: 1 << 20) } catch {
            return Responses.errors([FieldError(field: nil, line: "error: the request is larger than 1 MiB")], status: .contentTooLarge)
        }
        let decoded: WhatIfRequest
        do { decoded = try JSONDecoder().decode(WhatIfRequest.self, from: Data(buffer: bytes)) } catch {
            return Responses.errors([FieldError(field: nil, line: "error: the request is not a what-if: \(Self.describe(error))")], status: .badRequest)
        }
        let spec: WhatIfSpecification
        switch WhatIfSpecification.check(decoded, limits: options.limits) {
        case .failure(let e): return Responses.errors(e.errors)
        case .success(let s): spec = s
        }
        let (modelPath, limits, threads) = (options.modelPath, options.limits, queue.threads)
        let prepared = try await Blocking.run { PreparedWhatIf.prepare(spec, modelPath: modelPath, limits: limits, threads: threads) }
        switch prepared {
        case .failure(let e): return Responses.errors(e.errors)
        case .success(let p):
            do {
                let job = try await queue.submit(p)
                return Responses.json(Submitted(id: job.id, page: "/whatif/\(job.id)", events: "/api/whatif/\(job.id)/events",
                                                analytic: WhatIfPage.analytic(p)), status: .accepted)
            } catch {
                return Responses.errors([FieldError(field: nil, line: "error: \(error)")], status: .serviceUnavailable)
            }
        }
    }

    /// Starts making the baseline of the what-if the form holds (its run fields; parameters
    /// ignored) while the person is still changing parameters. Answers at once; a form that
    /// does not check out starts nothing (its errors come when it is run).
    func prefetch(_ request: Request) async throws -> Response {
        guard let bytes = try? await request.body.collect(upTo: 1 << 20),
              var decoded = try? JSONDecoder().decode(WhatIfRequest.self, from: Data(buffer: bytes)) else {
            return Responses.json(["started": false], status: .accepted)
        }
        decoded.overrides = []
        guard case .success(let spec) = WhatIfSpecification.check(decoded, limits: options.limits) else {
            return Responses.json(["started": false], status: .accepted)
        }
        let (modelPath, limits, threads) = (options.modelPath, options.limits, queue.threads)
        guard case .success(let p) = try await Blocking.run({ PreparedWhatIf.prepare(spec, modelPath: modelPath, limits: limits, threads: threads) }) else {
            return Responses.json(["started": false], status: .accepted)
        }
        await queue.prefetchBaseline(p)
        return Responses.json(["started": true], status: .accepted)
    }

    struct Submitted: Codable { var id: String; var page: String; var events: String; var analytic: String }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "'\(c.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "not valid JSON"
        }
    }

    /// Server-sent events for one what-if: `status` whenever its progress changes (a comment
    /// line every second otherwise, which also finds a closed page), then `done`. When the page
    /// goes away, the queue cancels the what-if unless a page listens again within the grace period.
    func events(_ job: WhatIfJob) -> Response {
        let queue = self.queue
        let body = ResponseBody { writer in
            job.listenerJoined()
            do {
                var last: WhatIfJob.Status?
                var quiet = 0
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while true {
                    let status = await queue.status(job.id) ?? job.status(position: nil)
                    let terminal = [.finished, .cancelled, .failed].contains(status.phase)
                    if status != last || quiet >= 5 {
                        let data = String(decoding: try Responses.encode(status), as: UTF8.self)
                            .split(separator: "\n").map { "data: \($0)" }.joined(separator: "\n")
                        try await writer.write(ByteBuffer(string: "event: \(terminal ? "done" : "status")\n\(data)\n\n"))
                        last = status
                        quiet = 0
                    } else {
                        quiet += 1
                        if quiet % 5 == 0 { try await writer.write(ByteBuffer(string: ": waiting\n\n")) }
                    }
                    if terminal { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await writer.finish(nil)
            } catch {
                // The page went away (or the server is stopping).
            }
            await queue.listenerLeft(job)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    /// Saves a finished what-if as a new experiment, all runs in one transaction.
    func save(_ job: WhatIfJob, _ request: Request) async throws -> Response {
        struct Body: Decodable { var name: String }
        let bytes = (try? await request.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
        guard let name = try? JSONDecoder().decode(Body.self, from: Data(buffer: bytes)).name else {
            return Responses.errors([FieldError(field: "name", line: "error: expected {\"name\": ...}")], status: .badRequest)
        }
        guard WhatIfDocument.isValidName(name) else {
            return Responses.errors([FieldError(field: "name", line: "error: an experiment name is 1 to 64 letters, digits, '.', '_' or '-', got '\(name)'")])
        }
        guard let outcome = job.outcome else {
            return Responses.errors([FieldError(field: "name", line: "error: only a finished what-if can be saved (this one is \(job.phase.rawValue))")], status: .conflict)
        }
        let record = WhatIfDocument.experiment(name: name, job: job)
        let runs = WhatIfDocument.storedRuns(experiment: name, job: job, outcome: outcome, version: options.programVersion)
        let database = self.database
        let saved: Bool
        do {
            saved = try await Blocking.run { try database.saveNewExperiment(record, runs: runs) }
        } catch {
            return Responses.errors([FieldError(field: "name", line: ErrorLine.format(file: options.databasePath, message: "cannot save: \(error)"))], status: .internalServerError)
        }
        guard saved else {
            return Responses.errors([FieldError(field: "name", line: "error: an experiment named '\(name)' exists already; choose another name")], status: .conflict)
        }
        return Responses.json(["experiment": name, "page": "/results/\(name)"], status: .created)
    }
}
