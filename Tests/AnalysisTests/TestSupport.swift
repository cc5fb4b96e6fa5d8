import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

// Helpers shared by the analysis tests: the real model files (found from this file's path),
// short run settings, and run results built by hand (for the functions that only read them).

enum Fixture {
    /// The package root (this file is Tests/AnalysisTests/TestSupport.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var modelPath: String { root.appendingPathComponent("Models/platform.yaml").path }

    static func model(_ configuration: String, users: Int, overrides: [String] = [], extraOverlays: [String] = []) throws -> PlatformModel {
        try PlatformModelFile.load(modelPath, configuration: configuration, overrides: overrides, users: users,
                                   extraOverlays: extraOverlays).0
    }

    /// A short window in the peak hour, fixed seed.
    static func settings(seed: UInt64 = 1, warmUp: Double = 60, duration: Double = 180) -> RunSettings {
        RunSettings(seed: seed, replication: 0, startHour: nil, warmUp: warmUp, duration: duration, timeSeriesInterval: 10)
    }

    /// Overrides that switch every rate limiter off (phase 1 enables every limiter the base file
    /// declares, and the loader keeps only the enabled ones; overrides apply after the overlays).
    static func noRateLimits() throws -> [String] {
        try model("phase1", users: 1000).rateLimiters.map { "rateLimiters.\($0.name).enabled=false" }
    }

    static func component(_ name: String, in r: RunResult) -> ComponentMetrics? {
        r.components.first { $0.name == name }
    }
}

// MARK: - Results built by hand

/// Types whose initialisers are internal to their module are built from JSON (they are all
/// Codable); "inf" stands for an infinite number.
func decoded<T: Decodable>(_ type: T.Type, _ json: String) -> T {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do { return try decoder.decode(T.self, from: Data(json.utf8)) } catch { fatalError("fixture JSON for \(T.self): \(error)") }
}

enum Constructed {
    static func plan(apiInstances: Int = 2, workerInstances: Int = 0, vcpu: Double = 2, replicas: Int = 0, shards: Int = 1) -> CapacityPlan {
        decoded(CapacityPlan.self, """
            {"apiInstances": \(apiInstances), "apiProcesses": \(apiInstances), "workerInstances": \(workerInstances),
             "workerProcesses": \(workerInstances), "postgresSizeIndex": 0, "postgresSize": "pg-\(Int(vcpu))",
             "postgresVCPU": \(vcpu), "postgresMemoryGB": 4, "replicasPerShard": \(replicas), "shards": \(shards),
             "pgbouncerProcesses": 0, "limits": [], "databaseShortfalls": [],
             "volume": {"className": "test-volume", "iops": 3000, "throughputMBps": 125, "ioLatency": 0.001,
                        "separateReadWriteIOPS": false, "sequentialIOBytes": 262144, "maxSizeGB": 1000}}
            """)
    }

    static func endpoint(_ name: String, requests: Int, errors: Int = 0, p50: Double = 10, p99: Double) -> EndpointResult {
        decoded(EndpointResult.self, """
            {"name": "\(name)", "requests": \(requests), "errors": \(errors),
             "latencyMs": {"p50": \(p50), "p95": \(p99), "p99": \(p99), "mean": \(p50), "max": \(p99)}}
            """)
    }

    static func job(_ name: String, enqueued: Int, deadLettered: Int) -> JobResult {
        decoded(JobResult.self, """
            {"name": "\(name)", "enqueued": \(enqueued), "completed": \(enqueued - deadLettered), "failedAttempts": \(deadLettered),
             "deadLettered": \(deadLettered), "latencyMs": {"p50": 1, "p95": 1, "p99": 1, "mean": 1, "max": 1}}
            """)
    }

    static func component(_ name: String, kind: ComponentKind, count: Int = 1, utilization: Double, maxUtilization: Double? = nil,
                          meanWaitMs: Double = 0, limitHits: Int = 0, details: [ComponentMetric: Double] = [:]) -> ComponentMetrics {
        ComponentMetrics(name: name, kind: kind, count: count, utilization: utilization, maxUtilization: maxUtilization ?? utilization,
                         meanQueue: 0, meanWaitMs: meanWaitMs, p99WaitMs: meanWaitMs, throughput: 1, limitHits: limitHits, details: details)
    }

    /// A run with the given figures and nothing else (every count not given is zero).
    static func run(users: Int = 10_000, requests: Int = 100_000, p50: Double = 20, p99: Double = 200, errors: ErrorCounts = ErrorCounts(),
                    components: [ComponentMetrics] = [], endpoints: [EndpointResult] = [], jobs: [JobResult] = [],
                    plan: CapacityPlan = plan(), throughput: Double = 100, config: String = "test") -> RunResult {
        let usage = decoded(UsageVolumes.self, """
            {"emailsPerDay": 0, "llmCallsPerDay": 0, "originEgressGBPerDay": 0, "cdnEgressGBPerDay": 0, "errorsPerDay": 0,
             "tracedRequestsPerDay": 0, "requestsPerDay": 0, "databaseGB": 0, "redisMemoryMB": 0}
            """)
        return RunResult(config: config, users: users, activeUsers: users / 7, seed: 1, replication: 0, windowStartHour: 14,
                         warmUpSeconds: 60, simulatedSeconds: 300, requests: requests, throughput: throughput,
                         latencyMs: Percentiles(p50: p50, p95: p99, p99: p99, mean: p50, max: p99), endpoints: endpoints,
                         errorRate: Double(errors.total) / Double(Swift.max(1, requests)), errors: errors, components: components,
                         cache: [], jobs: jobs, capacity: plan, usage: usage, timeSeries: [], events: 0, wallSeconds: 0)
    }
}
