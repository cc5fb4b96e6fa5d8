import Testing
@testable import PlatformModel

/// The hot loop's value types as the event loop needs them: plain values it can copy without
/// reference counting. `let p = hot.parameters` runs several times per event; an array (or any
/// class reference) inside the parameters turns each copy into retains and releases. Stop 31's
/// wake-up curve went in there and slowed the loop until it was moved out beside `idleWakeUp`.
@Suite struct HotLoopLayoutTests {
    @Test func theHotLoopsParametersHoldNoReference() {
        #expect(_isPOD(CompiledPlatform.Parameters.self))
    }

    @Test func theRequestsAndStepsAreEachAPlainValue() {
        #expect(_isPOD(PlatformSimulation.RequestState.self))
        #expect(_isPOD(CompiledPlatform.QueryInfo.self))
    }
}
