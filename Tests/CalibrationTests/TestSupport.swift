import Foundation
import ModelSchema
import PlatformModel
@testable import Calibration

/// Paths and helpers shared by the calibration tests.
enum Support {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("Models/platform.yaml").path
    static let fixtures = root.appendingPathComponent("Tests/CalibrationTests/Fixtures").path
    static func fixture(_ name: String) -> String { fixtures + "/" + name }

    static func load(overrides: [String] = [], overlays: [String] = []) throws -> (PlatformModel, CalibrationSection) {
        let l = try PlatformModelFile.loadWithCalibration(model, configuration: "current", overrides: overrides, extraOverlays: overlays)
        return (l.model, l.calibration)
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
