/// The unit a model parameter's key name carries (the model files' convention: `timeoutMs`,
/// `thinkTimeS`, `memoryGB`, `usdPerMonth`), as the Model page shows it.
enum ParameterUnit {
    /// Suffixes in the order they are tried (longest first where one ends another).
    static let suffixes: [(suffix: String, unit: String)] = [
        ("UsdPerMonth", "USD/month"), ("usdPerMonth", "USD/month"), ("UsdPerGB", "USD/GB"), ("usdPerGB", "USD/GB"),
        ("UsdPer1k", "USD per 1,000"), ("Usd", "USD"), ("usd", "USD"),
        ("PerInstancePerS", "per instance per s"), ("PerUserPerDay", "per user per day"), ("PerActiveUserPerDay", "per active user per day"),
        ("PerDay", "per day"), ("PerHour", "per hour"), ("PerMinute", "per minute"), ("perMinute", "per minute"),
        ("PerS", "per s"), ("perS", "per s"), ("PerSecond", "per s"),
        ("Ms", "ms"), ("Us", "µs"), ("Ns", "ns"), ("S", "s"), ("Hours", "h"), ("Hour", "h"),
        ("Bytes", "bytes"), ("KB", "KB"), ("MB", "MB"), ("GB", "GB"), ("TB", "TB"), ("MiB", "MiB"), ("GiB", "GiB"),
        ("Fraction", "fraction"), ("Share", "fraction"), ("Ratio", "ratio"), ("Percent", "%"),
        ("Iops", "IOPS"), ("IOPS", "IOPS"), ("Mbps", "Mbit/s"), ("MBps", "MB/s"), ("Tokens", "tokens"),
    ]

    /// The unit of the last key of a dotted path (list indices ignored), or nil when its name
    /// carries none.
    static func unit(ofPath path: String) -> String? {
        var key = Substring(path.split(separator: ".").last ?? "")
        if let bracket = key.firstIndex(of: "[") { key = key[..<bracket] }
        for (suffix, unit) in suffixes where key.hasSuffix(suffix) && key.count > suffix.count {
            // `S` must follow a lower-case letter or digit (`thinkTimeS`, not `IOPS` or `vCPUS`).
            if suffix == "S" || suffix == "Us" || suffix == "Ms" {
                let before = key[key.index(key.endIndex, offsetBy: -suffix.count - 1)]
                guard before.isLowercase || before.isNumber else { continue }
            }
            return unit
        }
        return nil
    }
}
