import PlatformModel
import SimulationEngine

/// Redis `INFO commandstats` (or a full `INFO`) snapshots: calls and microseconds per command.
///
/// `cmdstat_get:calls=120,usec=45,usec_per_call=0.38,rejected_calls=0,failed_calls=0`. `usec` is
/// the time spent inside the command, which is what the model's `commandTimeUs` and
/// `scriptTimeUs` mean; the difference of two snapshots is the interval between them.
public struct RedisCommandStats: Sendable, Equatable {
    public struct Command: Sendable, Equatable {
        public var calls: Double
        public var usec: Double
    }
    public var commands: [String: Command] = [:]

    public static func parse(_ text: String, file: String) throws -> RedisCommandStats {
        var stats = RedisCommandStats()
        var sawSection = false
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\r", with: "")
            if line.hasPrefix("# Commandstats") { sawSection = true }
            guard line.hasPrefix("cmdstat_") else { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw CalibrationError("expected cmdstat_NAME:calls=N,usec=N,...", file: file, line: n + 1, column: 1)
            }
            let name = String(line[line.index(line.startIndex, offsetBy: 8)..<colon]).lowercased()
            var calls: Double?, usec: Double?
            for pair in line[line.index(after: colon)...].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                if kv[0] == "calls" { calls = Double(kv[1]) }
                if kv[0] == "usec" { usec = Double(kv[1]) }
            }
            guard let calls, let usec, calls >= 0, usec >= 0 else {
                throw CalibrationError("the line has no calls= and usec= numbers", file: file, line: n + 1, column: line.distance(from: line.startIndex, to: colon) + 2)
            }
            stats.commands[name] = Command(calls: calls, usec: usec)
        }
        guard !stats.commands.isEmpty else {
            throw CalibrationError(sawSection ? "the Commandstats section is empty (no command has run since the last reset)"
                                              : "no cmdstat_ lines: expected the output of INFO commandstats (or INFO all)", file: file)
        }
        return stats
    }

    /// Commands the model's `commandTimeUs` stands for (simple reads and writes of one key) and
    /// those its `scriptTimeUs` stands for (the rate limiter's Lua script).
    static let simple: Set<String> = ["get", "set", "setex", "psetex", "setnx", "incr", "incrby", "decr", "decrby", "expire", "pexpire",
                                      "del", "unlink", "exists", "ttl", "pttl", "mget", "mset", "hget", "hset", "hgetall", "hmget", "hincrby",
                                      "sadd", "srem", "sismember", "zadd", "zrem", "zscore", "getex", "getdel"]
    static let scripts: Set<String> = ["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]

    /// The model parameters the difference of two snapshots gives.
    public static func calibrate(before: (path: String, text: String), after: (path: String, text: String), model: PlatformModel) throws -> (parameters: [CalibratedParameter], skipped: [SkippedParameter], notes: [String]) {
        let b = try parse(before.text, file: before.path), a = try parse(after.text, file: after.path)
        var notes: [String] = []
        var delta: [String: Command] = [:]
        for (name, x) in a.commands {
            let y = b.commands[name] ?? Command(calls: 0, usec: 0)
            if x.calls < y.calls {
                notes.append("Redis \(name): fewer calls after than before (CONFIG RESETSTAT or a restart between the snapshots); the after snapshot alone is used")
                delta[name] = x
            } else {
                delta[name] = Command(calls: x.calls - y.calls, usec: x.usec - y.usec)
            }
        }
        let source = "\(before.path) to \(after.path)"
        var parameters: [CalibratedParameter] = []
        var skipped: [SkippedParameter] = []
        for (key, set, current, what) in [("redis.commandTimeUs", simple, model.redis.commandTime, "simple commands"),
                                          ("redis.scriptTimeUs", scripts, model.redis.scriptTime, "script calls")] {
            let chosen = delta.filter { set.contains($0.key) && $0.value.calls > 0 }
            let calls = chosen.values.reduce(0) { $0 + $1.calls }, usec = chosen.values.reduce(0) { $0 + $1.usec }
            guard calls >= 100 else {
                skipped.append(SkippedParameter(keyPath: key, reason: "fewer than 100 \(what) between the snapshots (\(Int(calls)))"))
                continue
            }
            let mean = usec / calls
            // INFO keeps sums only: the interval takes the spread the model gives the time (its CV).
            let cv = current.squaredCV.isFinite ? current.squaredCV.squareRoot() : 1
            let half = 1.96 * mean * cv / calls.squareRoot()
            let text = NumberText.significant(mean, 4)
            let v = Double(text)!
            var rng = Xoshiro256StarStar(seed: RandomStreams.fnv1a(key))
            let draws = (0..<TrafficCalibration.drawCount).map { _ in Swift.max(1e-6, v + half / 1.96 * Distribution.standardNormal(&rng)) }
            let names = chosen.sorted { $0.value.calls > $1.value.calls }.prefix(5).map { "\($0.key) \(Int($0.value.calls))" }.joined(separator: ", ")
            parameters.append(CalibratedParameter(
                keyPath: key, value: DistributionText.spec(current.scaled(by: 1e6), mean: text),
                comment: "measured: \(source), \(Int(calls)) \(what) (\(names)), 95% interval \(NumberText.significant(v - half)) to \(NumberText.significant(v + half)); time inside Redis per call, the spread the model's",
                measurements: [MeasuredValue(name: key + "@mean", value: v, low: v - half, high: v + half, samples: Int(calls), source: source, draws: draws)]))
        }
        return (parameters, skipped, notes)
    }
}
