import Foundation
import ModelSchema
import PlatformModel

/// What to calibrate from.
public struct CalibrationInputs: Sendable {
    public var accessLogs: [String]
    public var logFormat: AccessLogFormat?
    public var registeredUsers: Int?
    public var pgStatStatements: (before: String, after: String)?
    public var redisInfo: (before: String, after: String)?
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

    public func calibrate(_ inputs: CalibrationInputs) throws -> CalibrationResult {
        var result = CalibrationResult()
        if !inputs.accessLogs.isEmpty {
            guard !calibration.routes.isEmpty else {
                throw CalibrationError("the model has no route table (calibration.routes): access-log paths cannot be mapped to endpoints", file: inputs.accessLogs[0])
            }
            let observations = try AccessLogAnalyzer(model: model, calibration: calibration).analyze(files: inputs.accessLogs, format: inputs.logFormat)
            let traffic = TrafficCalibration(observations, model: model, registeredUsers: inputs.registeredUsers)
            result.parameters += traffic.parameters
            result.skipped += traffic.skipped
            result.traffic = traffic.report
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
