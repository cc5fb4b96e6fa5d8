/// Everything one `calibrate` produced: the parameters it sets, those it left alone and why,
/// and what each input showed.
public struct CalibrationResult: Sendable {
    public var parameters: [CalibratedParameter] = []
    public var skipped: [SkippedParameter] = []
    public var traffic: TrafficReport?
    public var database: PgStatStatementsCalibration?
    public var demand: DemandEstimation?
    public var notes: [String] = []
    public init() {}
}
