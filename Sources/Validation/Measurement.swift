import Foundation

/// What the replayer measured for one trace: each request's send time, status, latency and
/// error kind (`measured.csv`, one line per trace record in trace order), and the servers'
/// side (`servers.json`: CPU seconds per process over the measured window, cache lookups and
/// hits, samples of Postgres, PgBouncer and Redis, the replayer's own overhead).
public struct Measurement: Sendable {
    public struct Response: Sendable, Equatable {
        /// Seconds from the replay's start when the request was sent (NaN: never sent).
        public var sent: Double
        /// The HTTP status, 0 when the connection failed.
        public var status: Int
        /// Milliseconds until the response (NaN: none before the replay ended).
        public var latencyMs: Double
        /// The `X-Error-Kind` the API answered with, `timeout` when the replayer gave up at
        /// the request timeout, `client:CODE` for a connection error, empty for success.
        public var error: String
    }

    public var responses: [Response]
    public var servers: Servers

    public struct Servers: Codable, Sendable {
        public struct CacheCount: Codable, Sendable { public var lookups: Int; public var hits: Int }
        public struct Sample: Codable, Sendable {
            public var t: Double
            public var pgActive: Double
            public var pgBackends: Double
            public var bouncerClientsWaiting: Double?
            public var bouncerServersActive: Double?
            public var redisOpsPerS: Double
            /// Queries waiting for a connection of the API's pool (absent before 2026-11-29 09:00).
            public var apiPoolWaiting: Double?
            /// Seconds the hypervisor stole from all cores since the sample before (/proc/stat;
            /// absent in runs before 2026-11-28 23:35).
            public var stealS: Double?
        }
        public struct Replayer: Codable, Sendable {
            public var requests: Int
            public var cpuMsPerRequest: Double
            public var latenessP50Ms: Double
            public var latenessP99Ms: Double
            public var latenessMaxMs: Double
            public var unfinished: Int
        }
        public struct Statement: Codable, Sendable {
            public var `class`: String?
            public var calls: Double
            public var total_ms: Double
        }
        public var windowSeconds: Double
        public var cpuSeconds: [String: Double]
        public var caches: [String: CacheCount]
        public var samples: [Sample]
        public var loopDelayP99Ms: Double?
        public var statements: [Statement]
        public var replayer: Replayer

        /// Seconds stolen from all cores over the measured window's samples (nil when the
        /// replayer did not record steal).
        public var stolenSeconds: Double? {
            let s = samples.compactMap(\.stealS)
            return s.isEmpty ? nil : s.reduce(0, +)
        }
    }

    /// Reads `DIR/measured.csv` and `DIR/servers.json`, checking the responses line up with a
    /// trace of `records` requests.
    public static func read(directory: String, records: Int) throws(ValidationFileError) -> Measurement {
        let csvPath = directory + "/measured.csv"
        let text = try FileText.read(csvPath)
        guard text.hasPrefix("# platformsim-measured 1") else {
            throw ValidationFileError("not a replayer measurement: the first line must be '# platformsim-measured 1'", file: csvPath, line: 1, column: 1)
        }
        var responses: [Response] = []
        responses.reserveCapacity(records)
        var header = true
        for (n, f) in CSVLines(text: text) {
            if header { header = false; continue }
            guard f.count == 5, let index = Int(f[0]), index == responses.count else {
                throw ValidationFileError("expected 'index,sent_s,status,latency_ms,error' with index \(responses.count)", file: csvPath, line: n, column: 1)
            }
            let sent = f[1].isEmpty ? Double.nan : Double(f[1]) ?? .nan
            guard let status = Int(f[2]) else { throw ValidationFileError("status: expected a number, got '\(f[2])'", file: csvPath, line: n, column: f.column(of: 2)) }
            let latency = f[3].isEmpty ? Double.nan : Double(f[3]) ?? .nan
            responses.append(Response(sent: sent, status: status, latencyMs: latency, error: String(f[4])))
        }
        guard responses.count == records else {
            throw ValidationFileError("\(responses.count) responses for a trace of \(records) requests", file: csvPath)
        }
        let jsonPath = directory + "/servers.json"
        let json = try FileText.read(jsonPath)
        do {
            let servers = try JSONDecoder().decode(Servers.self, from: Data(json.utf8))
            return Measurement(responses: responses, servers: servers)
        } catch {
            throw ValidationFileError("not the replayer's servers.json: \(error)", file: jsonPath)
        }
    }
}
