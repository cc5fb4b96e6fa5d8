import FileOutput
import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

/// What to calibrate from.
public struct CalibrationInputs: Sendable {
    public var accessLogs: [String]
    public var logFormat: AccessLogFormat?
    public var registeredUsers: Int?
    public var pgStatStatements: (before: String, after: String)?
    public var redisInfo: (before: String, after: String)?
    /// A `time,busy_cores` series of the API's CPU use over the access log's period.
    public var utilization: String?
    public init(accessLogs: [String] = [], logFormat: AccessLogFormat? = nil, registeredUsers: Int? = nil) {
        self.accessLogs = accessLogs; self.logFormat = logFormat; self.registeredUsers = registeredUsers
    }
}

/// Runs every calibration the inputs allow against one validated model.
public struct Calibrator {
    public let model: PlatformModel
    public let calibration: CalibrationSection

    public init(model: PlatformModel, calibration: CalibrationSection) {
        self.model = model
        self.calibration = calibration
    }

    /// - Parameter reload: the model again with an overlay file applied (for demand estimation,
    ///   which compares with the model's CPU per request at the traffic just measured).
    public func calibrate(_ inputs: CalibrationInputs, reload: ((String) throws -> PlatformModel)? = nil) throws -> CalibrationResult {
        var result = CalibrationResult()
        var perMinute: [Int: Int] = [:]
        if !inputs.accessLogs.isEmpty {
            guard !calibration.routes.isEmpty else {
                throw CalibrationError("the model has no route table (calibration.routes): access-log paths cannot be mapped to endpoints", file: inputs.accessLogs[0])
            }
            let observations = try AccessLogAnalyzer(model: model, calibration: calibration).analyze(files: inputs.accessLogs, format: inputs.logFormat)
            let traffic = TrafficCalibration(observations, model: model, registeredUsers: inputs.registeredUsers)
            result.parameters += traffic.parameters
            result.skipped += traffic.skipped
            result.traffic = traffic.report
            perMinute = observations.perMinute
        }
        if let path = inputs.utilization {
            let series = try DemandEstimation.readSeries(try Self.read(path), file: path)
            let d = try DemandEstimation.estimate(series: series, perMinute: perMinute, file: path)
            result.demand = d
            let (parameters, skipped) = try frameworkCPU(d, source: path, measuredTraffic: result.parameters, reload: reload)
            result.parameters += parameters
            result.skipped += skipped
        }
        if let pg = inputs.pgStatStatements {
            let db = try PgStatStatementsCalibration(before: (pg.before, try Self.read(pg.before)), after: (pg.after, try Self.read(pg.after)),
                                                     model: model, calibration: calibration, registeredUsers: inputs.registeredUsers)
            result.parameters += db.parameters
            result.skipped += db.skipped
            result.notes += db.notes
            result.database = db
        }
        if let redis = inputs.redisInfo {
            let r = try RedisCommandStats.calibrate(before: (redis.before, try Self.read(redis.before)), after: (redis.after, try Self.read(redis.after)), model: model)
            result.parameters += r.parameters
            result.skipped += r.skipped
            result.notes += r.notes
        }
        return result
    }

    /// `api.frameworkCpuMs` moved so that the model's CPU per request (event loop and thread
    /// pool, at the traffic measured from the same log) equals the demand estimated.
    func frameworkCPU(_ d: DemandEstimation, source: String, measuredTraffic: [CalibratedParameter],
                      reload: ((String) throws -> PlatformModel)?) throws -> ([CalibratedParameter], [SkippedParameter]) {
        let key = "api.frameworkCpuMs"
        var m = model
        if let reload, !measuredTraffic.isEmpty {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("platform-sim-traffic-\(UUID().uuidString).yaml").path
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            try OutputFiles.write(CalibrationOverlay(header: [], parameters: measuredTraffic.filter { $0.keyPath.hasPrefix("traffic.") }).render(), to: temporary)
            m = try reload(temporary)
        }
        let load = OfferedLoad(model: m, window: (0, 86_400))
        let rate = load.endpointRate.reduce(0, +)
        guard rate > 0 else { return ([], [SkippedParameter(keyPath: key, reason: "the model offers no requests")]) }
        let perRequest = (load.apiCPU + load.apiThreadPoolCPU) / rate
        let middleware = zip(m.endpoints, load.endpointRate).reduce(0.0) { $0 + ($1.0.middleware ? $1.1 : 0) } / rate
        let old = m.api.frameworkCPU.mean
        func framework(_ demand: Double) -> Double { old + (demand - perRequest) / Swift.max(1e-9, middleware) }
        let value = framework(d.demand)
        guard value > 0.01 * old, value.isFinite else {
            return ([], [SkippedParameter(keyPath: key, reason: String(format: "the measured %.3f ms of CPU per request is less than the model's %.3f ms without its framework part: the model's per-endpoint CPU steps are too high", d.demand * 1000, perRequest * 1000))])
        }
        let text = NumberText.significant(value * 1000, 4)
        let v = Double(text)!
        let low = Swift.max(1e-6, framework(d.low) * 1000), high = framework(d.high) * 1000
        var rng = Xoshiro256StarStar(seed: RandomStreams.fnv1a(key))
        let draws = (0..<TrafficCalibration.drawCount).map { _ in Swift.max(1e-6, v + (high - low) / 3.92 * Distribution.standardNormal(&rng)) }
        let comment = "measured: \(source), \(d.intervals) intervals, \(NumberText.significant(d.demand * 1000, 4)) ms of CPU per request (95% interval \(NumberText.significant(d.low * 1000, 4)) to \(NumberText.significant(d.high * 1000, 4))), background \(NumberText.significant(d.background, 3)) cores, R^2 \(NumberText.significant(d.rSquared, 3)); the model had \(NumberText.significant(perRequest * 1000, 4)) ms, the difference put on the framework's share"
        return ([CalibratedParameter(keyPath: key, value: DistributionText.spec(m.api.frameworkCPU.scaled(by: 1000), mean: text), comment: comment,
                                     measurements: [MeasuredValue(name: key + "@mean", value: v, low: Swift.min(low, v), high: Swift.max(high, v), samples: d.intervals, source: source, draws: draws)])], [])
    }

    /// A whole small input file as UTF-8 text.
    static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw CalibrationError("no such file", file: path) }
        guard !isDirectory.boolValue else { throw CalibrationError("is a folder, not a file", file: path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CalibrationError("cannot read the file", file: path) }
        guard !data.isEmpty else { throw CalibrationError("the file is empty", file: path) }
        guard let text = String(data: data, encoding: .utf8) else { throw CalibrationError("the file is not UTF-8 text", file: path) }
        return text
    }
}
