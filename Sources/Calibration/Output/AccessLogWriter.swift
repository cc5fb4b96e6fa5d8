import FileOutput
import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

/// Writes a simulated run's requests as an Express app's access log, in the formats
/// `calibrate` reads: what the platform's own telemetry would have shown had it been the model.
///
/// Each finished request of the measured window becomes one line, logged when its response
/// went out (arrival + latency), as morgan and pino-http do, in the order of those times. The
/// path is the first route of its endpoint in the model's route table (`:id` filled with a
/// number drawn from the request, `?limit=N` on lists), the status the one an Express app
/// answers with (``ErrorKind/httpStatus``, 200 otherwise), the user id `u<N>` on requests that
/// pass the authentication middleware, the client IP `10.a.b.c` from the simulated IP number.
public struct AccessLogWriter {
    public let model: PlatformModel
    public let routes: [CalibrationSection.Route]
    /// Seconds since 1970 of the simulated day's midnight (UTC).
    public let dayStart: Double

    public init(model: PlatformModel, calibration: CalibrationSection, dayStart: Double) {
        self.model = model
        routes = calibration.routes
        self.dayStart = dayStart
    }

    /// The simulated day's midnight for a date `YYYY-MM-DD`, or nil when it is not one.
    public static func dayStart(_ date: String) -> Double? {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (2000...2099).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        return Double(Bytes.daysFromCivil(y, m, d) * 86_400)
    }

    /// Writes the log to `path` whole or not at all. Returns the lines written.
    @discardableResult
    public func write(_ log: RequestLog, format: AccessLogFormat, to path: String) throws -> Int {
        var endpointRoute: [CalibrationSection.Route?] = Array(repeating: nil, count: model.endpoints.count)
        for r in routes where endpointRoute[r.endpoint] == nil { endpointRoute[r.endpoint] = r }
        let missing = model.endpoints.indices.filter { endpointRoute[$0] == nil }.map { model.endpoints[$0].name }
        guard missing.isEmpty else {
            throw CalibrationError("the model's route table (calibration.routes) has no route for \(missing.joined(separator: ", ")): the log could not name those requests", file: path)
        }
        // Lines in the order their responses went out.
        var order: [(time: Double, index: Int32)] = []
        order.reserveCapacity(log.records.count)
        for (i, r) in log.records.enumerated() where r.finished && r.arrival >= log.measureStart {
            order.append((r.arrival + r.latency, Int32(i)))
        }
        order.sort { $0.time < $1.time || ($0.time == $1.time && $0.index < $1.index) }

        // The destination as every output file's (never a folder), and a temporary name beside it.
        do { try OutputFiles.checkFileDestination(path, what: "the access log") } catch { throw CalibrationError("\(error)", file: "") }
        let temporary = OutputFiles.temporaryName(beside: path)
        guard let file = fopen(temporary, "wx") else {
            throw CalibrationError("cannot write the file: \(String(cString: strerror(errno)))", file: path)
        }
        var closed = false
        defer { if !closed { fclose(file) }; unlink(temporary) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func flush() throws {
            guard !buffer.isEmpty else { return }
            let n = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            guard n == buffer.count else { throw CalibrationError("cannot write the file: \(String(cString: strerror(errno)))", file: path) }
            buffer.removeAll(keepingCapacity: true)
        }
        for (time, index) in order {
            let r = log.records[Int(index)]
            line(r, loggedAt: dayStart + time, route: endpointRoute[Int(r.endpoint)]!, format: format, into: &buffer)
            if buffer.count > (1 << 20) - 4096 { try flush() }
        }
        try flush()
        guard fflush(file) == 0, fsync(fileno(file)) == 0 || errno == EINVAL else {
            throw CalibrationError("cannot write the file: \(String(cString: strerror(errno)))", file: path)
        }
        closed = true
        guard fclose(file) == 0, rename(temporary, path) == 0 else {
            throw CalibrationError("cannot write the file: \(String(cString: strerror(errno)))", file: path)
        }
        return order.count
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    func line(_ r: RequestLog.Record, loggedAt: Double, route: CalibrationSection.Route, format: AccessLogFormat, into out: inout [UInt8]) {
        let endpoint = model.endpoints[Int(r.endpoint)]
        var target = Self.path(route.path, seed: UInt64(bitPattern: Int64(r.user)) &* 0x9E37_79B9 ^ UInt64(r.arrival.bitPattern))
        if r.pageLimit > 0 { target += "?\(route.limitParameter)=\(Int(r.pageLimit))" }
        let status = r.error?.httpStatus ?? 200
        let user = r.user >= 0 && endpoint.middleware ? "u\(r.user)" : nil
        let ip = "10.\((r.ip >> 16) & 255).\((r.ip >> 8) & 255).\(r.ip & 255)"
        let method = route.method == "*" ? "GET" : route.method
        let ms = String(format: "%.3f", r.latency * 1000)
        switch format {
        case .combined:
            let seconds = Int(loggedAt.rounded(.down))
            let day = seconds / 86_400, rest = seconds % 86_400
            let (y, m, d) = Bytes.civilFromDays(day)
            func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
            let date = "\(two(d))/\(Self.months[m - 1])/\(y):\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) +0000"
            let text = "\(ip) - \(user ?? "-") [\(date)] \"\(method) \(target) HTTP/1.1\" \(status) \(Int(endpoint.responseBytes)) \"-\" \"Mozilla/5.0 (PlatformSim)\" \(ms)\n"
            out.append(contentsOf: text.utf8)
        case .json:
            let millis = (loggedAt * 1000).rounded()
            let seconds = millis / 1000
            let whole = Int(seconds.rounded(.down))
            let iso = String(Bytes.isoTime(Double(whole)).dropLast()) + String(format: ".%03dZ", Int(millis) - whole * 1000)
            var text = "{\"time\":\"\(iso)\",\"method\":\"\(method)\",\"url\":\"\(target)\",\"status\":\(status),\"responseTime\":\(ms)"
            if let user { text += ",\"userId\":\"\(user)\"" }
            text += ",\"ip\":\"\(ip)\"}\n"
            out.append(contentsOf: text.utf8)
        }
    }

    /// A concrete path for a route pattern: `:name` segments become numbers, a final `*` a file name.
    static func path(_ pattern: String, seed: UInt64) -> String {
        var h = seed
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            if part.hasPrefix(":") {
                h = SplitMix64.mix(h)
                return String(h % 1_000_000 + 1)
            }
            if part == "*" {
                h = SplitMix64.mix(h)
                return "asset-\(h % 500).js"
            }
            return String(part)
        }
        return parts.joined(separator: "/")
    }
}
