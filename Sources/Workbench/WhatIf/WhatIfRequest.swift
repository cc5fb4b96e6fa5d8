import Analysis
import Foundation
import Formatting
import ModelSchema

/// A what-if as the page sends it (JSON): a configuration at a user count, the parameters
/// changed (`KEY.PATH=VALUE`, as `--set` takes them), and what to simulate. Numbers come as
/// the text typed into the form (JSON numbers are taken too), so that a value that is not a
/// number gets the command line's own error for it.
struct WhatIfRequest: Codable, Sendable, Equatable {
    var configuration: String
    var users: FormValue
    var overrides: [String]
    var replications: FormValue?
    var durationS: FormValue?
    var warmUpS: FormValue?
    var startHour: FormValue?
    var seed: FormValue?
    /// `p99<=500ms,errors<=0.1%`, as `platform-sim size --slo` takes it.
    var slo: String?
}

/// A form field's text; decodes from a JSON string or number.
struct FormValue: Codable, Sendable, Equatable, ExpressibleByStringLiteral {
    var text: String
    init(_ text: String) { self.text = text }
    init(stringLiteral value: String) { text = value }
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { text = s }
        else if let i = try? c.decode(Int64.self) { text = String(i) }
        else { text = shown(try c.decode(Double.self)) }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
    var trimmed: String { text.trimmingCharacters(in: .whitespaces) }
}

/// A problem with a what-if, shown next to the form field it is about (`field` is a request
/// key such as `users`, or a parameter's dotted path), or above the form when it is about
/// none. `line` is exactly what the command line prints for the same problem.
struct FieldError: Codable, Sendable, Equatable {
    var field: String?
    var line: String
}

/// A what-if checked against the limits, with its defaults filled in.
struct WhatIfSpecification: Sendable, Equatable {
    var configuration: String
    var users: Int
    var overrides: [String]
    var replications: Int
    var durationS: Double
    var warmUpS: Double
    var startHour: Double?
    var seed: UInt64
    var slo: ServiceLevelObjective
    var sloText: String

    static let defaultSLO = "p99<=500ms,errors<=0.1%"

    /// The request checked field by field; every problem found, in form order.
    static func check(_ r: WhatIfRequest, limits: WorkbenchLimits) -> Result<WhatIfSpecification, WhatIfErrors> {
        var errors: [FieldError] = []
        func fail(_ field: String?, _ message: String) { errors.append(FieldError(field: field, line: "error: " + message)) }
        /// A number as the command line parses it, or its error ("the value 'x' is invalid for '--users <count>'").
        func number<T: LosslessStringConvertible>(_ value: FormValue?, _ field: String, _ option: String, default d: T?) -> T? {
            guard let text = value?.trimmed, !text.isEmpty else { return d }
            if let v = T(text) { return v }
            fail(field, "the value '\(text)' is invalid for '\(option)'")
            return nil
        }
        // Read as the command line reads `--users` (300000, 300k, 1M; ``UserCount``).
        var users: Int?
        if r.users.trimmed.isEmpty {
            fail("users", "missing expected argument '--users <count>'")
        } else {
            switch UserCount.parse(r.users.trimmed) {
            case .success(let n): users = n
            case .failure(let e): fail("users", "the value '\(r.users.trimmed)' is invalid for '--users <count>': \(e)")
            }
        }
        if let users, !(1...limits.maxUsers).contains(users) {
            fail("users", "--users must be between 1 and \(limits.maxUsers), got \(users)")
        }
        let replications: Int? = number(r.replications, "replications", "--replications <replications>", default: limits.defaultReplications)
        if let replications, !(1...limits.maxReplications).contains(replications) {
            fail("replications", "--replications must be between 1 and \(limits.maxReplications), got \(replications)")
        }
        let warmUp: Double? = number(r.warmUpS, "warmUpS", "--warm-up <seconds>", default: limits.defaultWarmUpS)
        if let warmUp, !(warmUp.isFinite && warmUp >= 0 && warmUp <= limits.maxWarmUpS) {
            fail("warmUpS", "--warm-up must be between 0 and \(shown(limits.maxWarmUpS)) seconds, got \(shown(warmUp))")
        }
        let duration: Double? = number(r.durationS, "durationS", "--duration <seconds>", default: limits.defaultDurationS)
        if let duration, !(duration.isFinite && duration > 0 && duration <= limits.maxDurationS) {
            fail("durationS", "--duration must be between 0 and \(shown(limits.maxDurationS)) seconds, got \(shown(duration))")
        }
        let startHour: Double? = number(r.startHour, "startHour", "--start-hour <hour>", default: nil)
        if let h = startHour, !(h >= 0 && h <= 24) {
            fail("startHour", "--start-hour must be between 0 and 24, got \(shown(h))")
        }
        let seed: UInt64? = number(r.seed, "seed", "--seed <seed>", default: 1)
        if let seed, seed > UInt64(Int64.max) { fail("seed", "--seed must be at most \(Int64.max), got \(seed)") }
        let sloText = (r.slo?.isEmpty ?? true) ? defaultSLO : r.slo!
        var slo = ServiceLevelObjective(p99Ms: 500, errorRate: 0.001)
        do { slo = try ServiceLevelObjective(parsing: sloText) } catch { fail("slo", "--slo: \(error)") }
        if r.overrides.count > limits.maxOverrides {
            fail(nil, "a what-if may change at most \(limits.maxOverrides) parameters, got \(r.overrides.count)")
        }
        for text in r.overrides {
            let key = text.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let top = String(key.split(separator: ".").first ?? "")
            if ModelCatalog.fileKeys.contains(top) {
                errors.append(FieldError(field: key, line: ErrorLine.format(file: "--set \(text)", message: "\(top) names model files; the workbench reads only the model it was started with, so it cannot be changed here")))
            }
        }
        guard errors.isEmpty, let users, let replications, let duration, let warmUp, let seed else { return .failure(WhatIfErrors(errors)) }
        return .success(WhatIfSpecification(configuration: r.configuration, users: users, overrides: r.overrides,
                                            replications: replications, durationS: duration, warmUpS: warmUp,
                                            startHour: startHour, seed: seed, slo: slo, sloText: sloText))
    }
}

/// Every problem a what-if request has; the page shows each next to its field.
struct WhatIfErrors: Error, Sendable, Equatable, Codable {
    var errors: [FieldError]
    init(_ errors: [FieldError]) { self.errors = errors }
}

/// A number as a person typed it: `3600` rather than `3600.0`.
func shown(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
