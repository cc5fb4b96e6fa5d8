import Foundation
import PlatformModel

/// One load level of the validation as `Testbed/validate.sh` leaves it in a directory: the
/// trace (with the model it came from in its header), the replayer's measurement, and
/// `level.json` saying what share of the testbed's capacity the level offers.
public struct ValidationRun: Sendable {
    public struct Level: Codable, Sendable, Equatable {
        /// The offered load as a share of the capacity the script found (1.0 = that capacity).
        public var loadShare: Double
        /// The rate scale at which the script found the capacity.
        public var capacityRateScale: Double
        /// A low-load run whose p99 is the one-client reference of the saturation criterion.
        public var baseline: Bool
    }
    public var directory: String
    public var trace: Trace
    public var measurement: Measurement
    public var level: Level

    public var configuration: String { trace.header.configuration }

    public static func read(directory: String) throws(ValidationFileError) -> ValidationRun {
        let trace = try Trace.read(directory + "/trace.csv")
        let measurement = try Measurement.read(directory: directory, records: trace.records.count)
        let levelPath = directory + "/level.json"
        let level: Level
        do {
            level = try JSONDecoder().decode(Level.self, from: Data(try FileText.read(levelPath).utf8))
        } catch let e as ValidationFileError {
            throw e
        } catch {
            throw ValidationFileError("expected {\"loadShare\": ..., \"capacityRateScale\": ..., \"baseline\": ...}: \(error)", file: levelPath)
        }
        return ValidationRun(directory: directory, trace: trace, measurement: measurement, level: level)
    }
}
