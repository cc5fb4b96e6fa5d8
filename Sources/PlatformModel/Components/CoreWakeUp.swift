/// A core's last wake-up from idle (``IdleWakeUpModel``): work arriving in [`from`, `until`)
/// waits for its end, and the core's idle time is counted from `until` after it.
public struct CoreWakeUp: Sendable {
    public var from = -Double.infinity
    public var until = -Double.infinity
    public init() {}
    public init(from: Double, until: Double) { self.from = from; self.until = until }
}
