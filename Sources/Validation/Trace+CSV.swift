import Foundation
import PlatformModel

/// The trace file: CSV with a versioned header (see `Testbed/README.md`, "The trace format").
///
/// ```
/// # platformsim-trace 1
/// # header {"configuration":"phase1",...}        (TraceHeader as JSON, sorted keys)
/// time_s,endpoint,user,tier,ip,page_limit,attempt,predicted_status,predicted_latency_ms,predicted_error
/// 0.004211,listLeads,17,tier1-2,10.0.0.18,50,0,200,3.412,
/// ```
///
/// Times have microsecond resolution, latencies three decimals of a millisecond; a request
/// still under way when the run ended has an empty latency. Fields never contain commas.
extension Trace {
    public static let columns = ["time_s", "endpoint", "user", "tier", "ip", "page_limit", "attempt",
                                 "predicted_status", "predicted_latency_ms", "predicted_error"]

    /// The file's text, the same bytes for the same trace.
    public func csv() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(header), as: UTF8.self)
        var out = "# platformsim-trace \(Self.formatVersion)\n# header \(json)\n"
        out += Self.columns.joined(separator: ",") + "\n"
        out.reserveCapacity(out.utf8.count + records.count * 72)
        for r in records {
            out += String(format: "%.6f", r.time)
            out += ","
            out += header.endpoints[r.endpoint]
            out += ",\(r.user),"
            if r.tier >= 0 { out += header.tiers[r.tier] }
            out += ","
            out += TraceRecord.ipAddress(r.ip)
            out += ",\(r.pageLimit),\(r.attempt),\(r.predictedStatus),"
            if r.predictedLatencyMs.isFinite { out += String(format: "%.3f", r.predictedLatencyMs) }
            out += ","
            out += r.predictedError?.name ?? ""
            out += "\n"
        }
        return out
    }

    /// Reads a trace file, reporting the first problem as `FILE:LINE:COLUMN: error: ...`.
    public static func read(_ path: String) throws(ValidationFileError) -> Trace {
        let text = try FileText.read(path)
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ValidationFileError) -> Trace {
        let lines = text.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        let magic = "# platformsim-trace "
        guard let first = lines.first, first.hasPrefix(magic) else {
            throw ValidationFileError("not a PlatformSim trace: the first line must be '\(magic)\(formatVersion)'", file: file, line: 1, column: 1)
        }
        guard Int(first.dropFirst(magic.count)) == formatVersion else {
            throw ValidationFileError("trace format version \(first.dropFirst(magic.count)) is not supported (this program reads version \(formatVersion))",
                                      file: file, line: 1, column: magic.count + 1)
        }
        guard lines.count > 1, lines[1].hasPrefix("# header ") else {
            throw ValidationFileError("expected '# header {...}' on the second line", file: file, line: 2, column: 1)
        }
        let header: TraceHeader
        do {
            header = try JSONDecoder().decode(TraceHeader.self, from: Data(lines[1].dropFirst("# header ".count).utf8))
        } catch {
            throw ValidationFileError("the header is not a valid trace header: \(error)", file: file, line: 2, column: 10)
        }
        let endpointIndex = Dictionary(header.endpoints.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let tierIndex = Dictionary(header.tiers.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var records: [TraceRecord] = []
        var sawColumns = false
        var previous = -Double.infinity
        for (n, f) in CSVLines(text: text) {
            if !sawColumns {
                guard f.map(String.init) == columns else {
                    throw ValidationFileError("expected the column line '\(columns.joined(separator: ","))'", file: file, line: n, column: 1)
                }
                sawColumns = true
                continue
            }
            guard f.count == columns.count else {
                throw ValidationFileError("expected \(columns.count) fields, found \(f.count)", file: file, line: n, column: 1)
            }
            func fail(_ i: Int, _ what: String) -> ValidationFileError {
                ValidationFileError("\(columns[i]): \(what), got '\(f[i])'", file: file, line: n, column: f.column(of: i))
            }
            guard let time = Double(f[0]), time.isFinite, time >= 0 else { throw fail(0, "expected seconds at or after 0") }
            guard time >= previous else { throw fail(0, "records must be in time order") }
            previous = time
            guard let endpoint = endpointIndex[String(f[1])] else { throw fail(1, "not an endpoint of the header") }
            guard let user = Int(f[2]), user >= -1 else { throw fail(2, "expected a user index or -1") }
            let tier: Int
            if f[3].isEmpty { tier = -1 } else {
                guard let t = tierIndex[String(f[3])] else { throw fail(3, "not a tier of the header") }
                tier = t
            }
            guard let ip = TraceRecord.ipIndex(f[4]) else { throw fail(4, "expected an address 10.x.y.z") }
            guard let page = Int(f[5]), page >= 0 else { throw fail(5, "expected a page size at or above 0") }
            guard let attempt = Int(f[6]), attempt >= 0 else { throw fail(6, "expected an attempt number") }
            guard let status = Int(f[7]), (100...599).contains(status) else { throw fail(7, "expected an HTTP status") }
            let latency: Double
            if f[8].isEmpty { latency = .nan } else {
                guard let l = Double(f[8]), l.isFinite, l >= 0 else { throw fail(8, "expected milliseconds") }
                latency = l
            }
            var error: ErrorKind?
            if !f[9].isEmpty {
                guard let k = ErrorKind(name: String(f[9])) else { throw fail(9, "not an error kind") }
                error = k
            }
            records.append(TraceRecord(time: time, endpoint: endpoint, user: user, tier: tier, ip: ip, pageLimit: page,
                                       attempt: attempt, predictedStatus: status, predictedLatencyMs: latency, predictedError: error))
        }
        guard sawColumns else { throw ValidationFileError("no column line", file: file) }
        return Trace(header: header, records: records)
    }
}
