// A smoke test of `Distribution(spec:)`, the parser the model files and the command line use:
// one spec read and one rejected. The distributions themselves are checked against theory in
// DistributionTests.swift.
import Testing
import SimulationEngine

@Test func distributionSpecParsesAndRejects() throws {
    #expect(try Distribution(spec: "exp:2") == Distribution.exponential(checkedMean: 2))
    #expect(throws: DistributionError.self) { try Distribution(spec: "exp:x") }
}
