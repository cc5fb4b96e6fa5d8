import ArgumentParser
import Calibration
import ModelSchema
import PlatformModel

/// `run --write-access-log FILE [--log-format combined|json] [--log-date YYYY-MM-DD]`: the run's
/// requests as the platform's access log would show them, for `calibrate` and for tools that
/// read real logs.
struct AccessLogOptions: ParsableArguments {
    @Option(name: .customLong("write-access-log"), help: ArgumentHelp("Write the measured window's requests as an access log (one line per finished request, in response order).", valueName: "file"))
    var path: String?

    @Option(name: .customLong("log-format"), help: "Format of --write-access-log: combined (morgan's, with the response time in ms at the end) or json.")
    var format: LogFormatOption = .combined

    @Option(name: .customLong("log-date"), help: ArgumentHelp("The simulated day's date in the log (UTC).", valueName: "YYYY-MM-DD"))
    var date: String = "2026-11-20"

    func validate() throws {
        if AccessLogWriter.dayStart(date) == nil { throw ValidationError("--log-date must be a date YYYY-MM-DD between 2000 and 2099, got '\(date)'") }
    }

    /// Runs with every request recorded and writes the log.
    func runWritingLog(modelOptions: ModelOptions, users: Int, model: PlatformModel, settings: RunSettings, plan: CapacityPlan) throws -> RunResult {
        guard let path else { return PlatformRun.run(model: model, settings: settings, plan: plan) }
        let calibration = try PlatformModelFile.loadWithCalibration(modelOptions.model, configuration: modelOptions.phase, overrides: modelOptions.overrides,
                                                                    users: users, pricing: modelOptions.pricing, extraOverlays: modelOptions.overlays).calibration
        guard let (result, log) = PlatformRun.run(model: model, settings: settings, plan: plan, monitor: nil, recordRequests: true), let log else {
            throw CommandLineFailure("the run recorded no requests")
        }
        do {
            try AccessLogWriter(model: model, calibration: calibration, dayStart: AccessLogWriter.dayStart(date)!).write(log, format: format.format, to: path)
        } catch let e as CalibrationError {
            throw CommandLineFailure(e.description)
        }
        return result
    }
}
