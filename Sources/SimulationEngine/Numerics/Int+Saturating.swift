/// Double-to-integer conversions that cannot trap.
///
/// `Int(x)` traps when `x` is NaN, infinite or outside the integer's range. Where a Double
/// comes from the model files (a rate times a time, a sampled size) the model's bounds keep it
/// small, but a conversion must not rely on every caller having checked: these clamp to the
/// type's range, and map NaN to 0, so that a value past the bounds shows up as a huge or zero
/// count in a report rather than as a crash.
extension Int {
    /// `x` rounded toward zero, clamped to `Int.min...Int.max`; 0 for NaN.
    @inlinable
    public init(saturating x: Double) {
        if x.isNaN { self = 0 }
        // 2^63 is exactly representable; every Double below it converts.
        else if x >= 9_223_372_036_854_775_808.0 { self = .max }
        else if x <= -9_223_372_036_854_775_808.0 { self = .min }
        else { self = Int(x) }
    }
}

extension Int64 {
    /// `x` rounded toward zero, clamped to `Int64.min...Int64.max`; 0 for NaN.
    @inlinable
    public init(saturating x: Double) {
        self = Int64(Int(saturating: x))
    }
}

extension UInt64 {
    /// `x` rounded toward zero, clamped to `0...UInt64.max`; 0 for NaN.
    @inlinable
    public init(saturating x: Double) {
        if x.isNaN || x <= 0 { self = 0 }
        // 2^64 is exactly representable; every Double below it converts.
        else if x >= 18_446_744_073_709_551_616.0 { self = .max }
        else { self = UInt64(x) }
    }
}

extension Int32 {
    /// `x` clamped to `Int32.min...Int32.max`.
    @inlinable
    public init(saturating x: Int) {
        self = Int32(clamping: x)
    }
}
