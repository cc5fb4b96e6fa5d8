// Package.swift declares the SimulationEngineTests target but the branch had no
// Tests/SimulationEngineTests folder, which makes SwiftPM reject the whole package
// ("overlapping sources"). This one small test gives the target a source so the package
// builds; the engine's real tests live on their own branch.
import Testing
import SimulationEngine

@Test func distributionSpecParsesAndRejects() throws {
    #expect(try Distribution(spec: "exp:2") == Distribution.exponential(checkedMean: 2))
    #expect(throws: DistributionError.self) { try Distribution(spec: "exp:x") }
}
