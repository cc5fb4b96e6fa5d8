import Foundation
import Testing
@testable import ModelFiles

// MARK: - Fixtures

/// The base model used throughout. Line and column numbers in the tests below refer to it, so
/// edit it only together with them.
let baseYAML = """
# PlatformSim test model
api:
  instance:
    vcpu: 2
    memoryGb: 4
  scheduler: fifo
  timeoutMs: 1500
  regions: [eu, us]
  endpoints:
    login:
      rate: 10
    search:
      rate: 40
postgres:
  maxConnections: 100
  replicas: 1
  mix: {read: 0.8, write: 0.2}

"""

enum Scheduler: String, CaseIterable { case fifo, ps, lifo }

struct Platform {
    var vcpu: Double
    var memoryGb: Int
    var scheduler: Scheduler
    var timeoutMs: Double
    var regions: [String]
    var endpoints: [(name: String, rate: Double)]
    var maxConnections: Int
    var replicas: Int
    var mix: [(name: String, probability: Double)]
}

/// A schema reader in the style the platform module will use.
func readPlatform(_ root: ObjectReader) throws -> Platform {
    let api = try root.object("api")
    let instance = try api.object("instance")
    let postgres = try root.object("postgres")
    return Platform(
        vcpu: try instance.double("vcpu", .positive),
        memoryGb: try instance.int("memoryGb", .range(1...1024)),
        scheduler: try api.enumeration("scheduler"),
        timeoutMs: try api.double("timeoutMs", .positive, default: 1000),
        regions: try api.list("regions").map { try $0.string() },
        endpoints: try api.dictionary("endpoints").map { ($0.name, try $0.value.object().double("rate", .nonNegative)) },
        maxConnections: try postgres.int("maxConnections", .positive),
        replicas: try postgres.int("replicas", .nonNegative),
        mix: try postgres.value("mix").probabilities()
    )
}

/// A fresh temporary folder holding the given files.
struct Fixture {
    let directory: URL

    init(_ files: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ModelFilesTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    /// Loads `base` (default `platform.yaml`) with overlays and overrides, reads it with
    /// `readPlatform`, and returns the platform or the error lines with the folder stripped.
    func run(base: String = "platform.yaml", overlays: [String] = [], overrides: [String] = [],
             openPaths: [String] = []) -> Result<Platform, Lines> {
        do {
            let document = try ModelDocument.load(base: path(base), overlays: overlays.map(path),
                                                  overrides: overrides, openPaths: openPaths)
            return .success(try document.validate(readPlatform))
        } catch {
            return .failure(Lines(error.description.replacingOccurrences(of: directory.path + "/", with: "")))
        }
    }
}

struct Lines: Error, Equatable, CustomStringConvertible {
    let text: String
    init(_ text: String) { self.text = text }
    var lines: [String] { text.split(separator: "\n").map(String.init) }
    var description: String { text }
}

extension Result where Failure == Lines {
    var errorLines: [String] {
        if case .failure(let lines) = self { return lines.lines }
        return []
    }
    var value: Success? { try? get() }
}

/// The base model with one line replaced (1-based), for error fixtures that keep every other
/// line where it was.
func base(replacingLine line: Int, with text: String) -> String {
    var lines = baseYAML.components(separatedBy: "\n")
    lines[line - 1] = text
    return lines.joined(separator: "\n")
}

// MARK: - Reading a valid model

@Test func readsAValidModel() throws {
    let platform = try #require(try Fixture(["platform.yaml": baseYAML]).run().value)
    #expect(platform.vcpu == 2)
    #expect(platform.memoryGb == 4)
    #expect(platform.scheduler == .fifo)
    #expect(platform.timeoutMs == 1500)
    #expect(platform.regions == ["eu", "us"])
    #expect(platform.endpoints.map(\.name) == ["login", "search"])
    #expect(platform.endpoints.map(\.rate) == [10, 40])
    #expect(platform.maxConnections == 100)
    #expect(platform.replicas == 1)
    #expect(platform.mix.map(\.name) == ["read", "write"])
}

@Test func defaultsApplyWhenAKeyIsAbsentOrNull() throws {
    for line in ["", "  timeoutMs: ~", "  timeoutMs:"] {
        let fixture = try Fixture(["platform.yaml": base(replacingLine: 7, with: line)])
        #expect(fixture.run().value?.timeoutMs == 1000)
    }
}

@Test func locationsAreExactOneBasedLineAndColumn() throws {
    let fixture = try Fixture(["platform.yaml": baseYAML])
    let document = try ModelDocument.load(base: fixture.path("platform.yaml"))
    let file = fixture.path("platform.yaml")
    let seen = try document.validate { root -> [String: ModelLocation] in
        let api = try root.object("api")
        let instance = try api.object("instance")
        let result: [String: ModelLocation] = [
            "root": root.location,
            "api": api.location,
            "instance": instance.location,
            "vcpu": try instance.value("vcpu").location,
            "vcpu key": try #require(instance.value("vcpu").keyLocation),
            "regions[1]": try api.list("regions")[1].location,
            "mix.write": try root.object("postgres").dictionary("mix")[1].value.location,
        ]
        _ = try readPlatform(root)
        return result
    }
    #expect(seen["root"] == ModelLocation(file: file, line: 2, column: 1))
    #expect(seen["api"] == ModelLocation(file: file, line: 2, column: 1))
    #expect(seen["instance"] == ModelLocation(file: file, line: 3, column: 3))
    #expect(seen["vcpu"] == ModelLocation(file: file, line: 4, column: 11))
    #expect(seen["vcpu key"] == ModelLocation(file: file, line: 4, column: 5))
    #expect(seen["regions[1]"] == ModelLocation(file: file, line: 8, column: 17))
    #expect(seen["mix.write"] == ModelLocation(file: file, line: 17, column: 27))
}

// MARK: - Errors in one file

@Test func unknownKeySuggestsTheClosestKnownKey() throws {
    // A misspelt optional key: nothing else fails, so only the unknown key can tell.
    let fixture = try Fixture(["platform.yaml": base(replacingLine: 7, with: "  timeoutMz: 1500")])
    #expect(fixture.run().errorLines == [
        "platform.yaml:7:3: error: unknown key 'timeoutMz' in api (did you mean 'timeoutMs'? "
            + "known keys: endpoints, instance, regions, scheduler, timeoutMs)",
    ])
}

@Test func unknownKeysAreReportedInEveryOpenedMappingAndAtTheTop() throws {
    let yaml = baseYAML + "cache:\n  sizeMb: 5\n"
    var lines = yaml.components(separatedBy: "\n")
    lines.insert("    login: 3", at: 5)   // after memoryGb, inside api.instance
    let fixture = try Fixture(["platform.yaml": lines.joined(separator: "\n")])
    #expect(fixture.run().errorLines == [
        "platform.yaml:6:5: error: unknown key 'login' in api.instance (known keys: memoryGb, vcpu)",
        "platform.yaml:19:1: error: unknown key 'cache' at the top level (known keys: api, postgres)",
    ])
}

@Test func missingRequiredKeyPointsAtTheMappingOrAtTheLikelyTypo() throws {
    var fixture = try Fixture(["platform.yaml": base(replacingLine: 5, with: "")])
    #expect(fixture.run().errorLines == [
        "platform.yaml:3:3: error: missing required key 'api.instance.memoryGb'",
    ])
    // At the misspelling's own line, and not reported again as an unknown key.
    fixture = try Fixture(["platform.yaml": base(replacingLine: 4, with: "    vcpux: 2")])
    #expect(fixture.run().errorLines == [
        "platform.yaml:4:5: error: missing required key 'api.instance.vcpu' (is 'vcpux' a misspelling of it?)",
    ])
}

@Test func wrongTypes() throws {
    let cases: [(line: Int, text: String, expected: String)] = [
        (4, "    vcpu: abc", "platform.yaml:4:11: error: api.instance.vcpu: expected a number, got 'abc'"),
        (4, "    vcpu: \"2\"", "platform.yaml:4:11: error: api.instance.vcpu: expected a number, got the quoted string '2'"),
        (4, "    vcpu: .inf", "platform.yaml:4:11: error: api.instance.vcpu: expected a finite number, got '.inf'"),
        (4, "    vcpu: .nan", "platform.yaml:4:11: error: api.instance.vcpu: expected a finite number, got '.nan'"),
        (4, "    vcpu: 1e400", "platform.yaml:4:11: error: api.instance.vcpu: expected a finite number, got '1e400'"),
        (4, "    vcpu:", "platform.yaml:4:10: error: api.instance.vcpu: expected a number, got nothing"),
        (5, "    memoryGb: 4.5", "platform.yaml:5:15: error: api.instance.memoryGb: expected a whole number, got '4.5'"),
        (8, "  regions: eu", "platform.yaml:8:12: error: api.regions: expected a list, got 'eu'"),
        (17, "  mix: 0.5", "platform.yaml:17:8: error: postgres.mix: expected a mapping of named entries, got '0.5'"),
        (6, "  scheduler: lifx",
         "platform.yaml:6:14: error: api.scheduler must be one of 'fifo', 'ps', 'lifo', got 'lifx' (did you mean 'lifo'?)"),
    ]
    for (line, text, expected) in cases {
        let fixture = try Fixture(["platform.yaml": base(replacingLine: line, with: text)])
        #expect(fixture.run().errorLines == [expected], "line \(line): \(text)")
    }
}

@Test func valuesOutOfRange() throws {
    let cases: [(line: Int, text: String, expected: String)] = [
        (4, "    vcpu: -2", "platform.yaml:4:11: error: api.instance.vcpu must be positive, got -2"),
        (5, "    memoryGb: 2_000", "platform.yaml:5:15: error: api.instance.memoryGb must be between 1 and 1024, got 2_000"),
        (16, "  replicas: -1", "platform.yaml:16:13: error: postgres.replicas must be zero or positive, got -1"),
        (17, "  mix: {read: 0.8, write: 0.1}", "platform.yaml:17:3: error: postgres.mix probabilities must sum to 1, got 0.9"),
    ]
    for (line, text, expected) in cases {
        let fixture = try Fixture(["platform.yaml": base(replacingLine: line, with: text)])
        #expect(fixture.run().errorLines == [expected], "line \(line): \(text)")
    }
    // Both bad values of one mapping, each at its own column.
    let fixture = try Fixture(["platform.yaml": base(replacingLine: 17, with: "  mix: {read: 1.5, write: -0.5}")])
    #expect(fixture.run().errorLines == [
        "platform.yaml:17:15: error: postgres.mix.read must be a probability between 0 and 1, got 1.5",
        "platform.yaml:17:27: error: postgres.mix.write must be a probability between 0 and 1, got -0.5",
    ])
}

@Test func anUpperBoundGivesItsReason() throws {
    let document = try ModelDocument(yaml: "vcpu: 1e16\nprocesses: 99999999999999999999\nok: 3\n", name: "m.yaml")
    do {
        _ = try document.validate { root -> Int in
            let capped = Constraint.positive.atMost(1024, because: "no cloud instance has more than 448 vCPU")
            _ = try root.double("vcpu", capped)
            _ = try root.int("processes", .range(1...1024))
            return try root.int("ok", capped)
        }
        Issue.record("expected errors")
    } catch {
        #expect(error.description == """
            m.yaml:1:7: error: vcpu must be at most 1024 (no cloud instance has more than 448 vCPU), got 1e16
            m.yaml:2:12: error: processes must be between 1 and 1024, got 99999999999999999999
            """)
    }
}

@Test func everyBadValueIsReportedAtItsOwnLineWithoutFollowOnErrors() throws {
    let yaml = """
    scaling:
      min: -4
      max: abc
      target: 2
    name: x

    """
    let document = try ModelDocument(yaml: yaml, name: "m.yaml")
    do {
        _ = try document.validate { root -> Int in
            let s = try root.object("scaling")
            let lo = try s.int("min", .range(0...100))
            let hi = try s.int("max", .range(1...100))
            // A check across keys that sees a stand-in says nothing more.
            if hi < lo { throw s.error("max", "must be at least min") }
            _ = try s.double("target", .probability)
            _ = try s.double("missing", .positive)
            return lo + hi
        }
        Issue.record("expected errors")
    } catch {
        #expect(error.description == """
            m.yaml:1:1: error: missing required key 'scaling.missing'
            m.yaml:2:8: error: scaling.min must be between 0 and 100, got -4
            m.yaml:3:8: error: scaling.max: expected a whole number, got 'abc'
            m.yaml:4:11: error: scaling.target must be a probability between 0 and 1, got 2
            m.yaml:5:1: error: unknown key 'name' at the top level (known keys: scaling)
            """)
    }
}

@Test func numbersAcceptUnderscoresExponentsAndSigns() {
    #expect(ValueReader.number("1_000_000") == 1_000_000)
    #expect(ValueReader.number("-2.5e-3") == -0.0025)
    #expect(ValueReader.number("+.5") == 0.5)
    for text in ["0x10", ".nan", "1:30", "e5", "1e", "abc", ""] { #expect(ValueReader.number(text) == nil, "\(text)") }
    #expect(ValueReader.integer("-10_000") == -10_000)
    for text in ["4.0", "1e3", "0x1F", "_1", "+", "99999999999999999999"] { #expect(ValueReader.integer(text) == nil, "\(text)") }
}

@Test func yamlSyntaxErrorUsesYamsLineAndColumn() throws {
    let fixture = try Fixture(["platform.yaml": base(replacingLine: 4, with: "    vcpu: 2: 3")])
    #expect(fixture.run().errorLines == [
        "platform.yaml:4:12: error: YAML syntax error: mapping values are not allowed in this context",
    ])
    try fixture.write("tabs.yaml", "api:\n\tinstance: 2\n")
    #expect(fixture.run(base: "tabs.yaml").errorLines == [
        "tabs.yaml:2:1: error: YAML syntax error: a tab character; YAML indents with spaces only",
    ])
    try fixture.write("twice.yaml", "api: 1\napi: 2\n")
    #expect(fixture.run(base: "twice.yaml").errorLines == [
        "twice.yaml:1:1: error: key 'api' appears more than once in this mapping",
    ])
}

@Test func missingFile() throws {
    let fixture = try Fixture(["platform.yaml": baseYAML])
    #expect(fixture.run(base: "nope.yaml").errorLines == ["nope.yaml: error: no such file"])
    #expect(fixture.run(overlays: ["phase9.yaml"]).errorLines == ["phase9.yaml: error: no such file"])
    // The path is printed as given.
    do {
        _ = try ModelDocument.load(base: "Models/missing.yaml")
        Issue.record("expected an error")
    } catch {
        #expect(error.description == "Models/missing.yaml: error: no such file")
    }
}

@Test func aTopLevelThatIsNotAMappingIsAnError() throws {
    let fixture = try Fixture(["list.yaml": "- a\n- b\n"])
    #expect(fixture.run(base: "list.yaml").errorLines == [
        "list.yaml:1:1: error: a model file must be a mapping of keys at the top level, got a list",
    ])
    try fixture.write("platform.yaml", baseYAML)
    #expect(fixture.run(overlays: ["list.yaml"]).errorLines == [
        "list.yaml:1:1: error: a phase overlay must be a mapping of keys at the top level, got a list",
    ])
}

@Test func severalErrorsAreCollectedAndSortedByLine() throws {
    var yaml = base(replacingLine: 16, with: "  replicas: -1")
    yaml = yaml.replacingOccurrences(of: "vcpu: 2", with: "vcpu: abc")
    let fixture = try Fixture(["platform.yaml": yaml])
    let document = try ModelDocument.load(base: fixture.path("platform.yaml"))
    do {
        // Read postgres first: the output is sorted by line anyway.
        _ = try document.validate { root -> Int? in
            let replicas = root.collect { try root.object("postgres").int("replicas", .nonNegative) }
            let platform = root.collect { try readPlatform(root) }
            guard let replicas, let platform else { return nil }
            return replicas + Int(platform.vcpu)
        }
        Issue.record("expected errors")
    } catch {
        #expect(error.errors.map { $0.location?.line } == [4, 16])
        #expect(error.description.replacingOccurrences(of: fixture.directory.path + "/", with: "") == """
            platform.yaml:4:11: error: api.instance.vcpu: expected a number, got 'abc'
            platform.yaml:16:13: error: postgres.replicas must be zero or positive, got -1
            """)
    }
}

@Test func callerErrorsBecomeLocatedErrors() throws {
    struct SpecError: Error, CustomStringConvertible { var description: String }
    let document = try ModelDocument(yaml: "api:\n  latency: exp:x\n  shards: 6\n", name: "m.yaml")
    do {
        _ = try document.validate { root in
            let api = try root.object("api")
            _ = root.collect {
                try api.parse("latency") { text -> Double in throw SpecError(description: "'\(text)' is not a distribution") }
            }
            _ = root.collect {
                let shards = try api.int("shards")
                if shards & (shards - 1) != 0 { throw api.error("shards", "must be a power of two, got \(shards)") }
            }
            return 0
        }
        Issue.record("expected errors")
    } catch {
        #expect(error.description == """
            m.yaml:2:12: error: api.latency: 'exp:x' is not a distribution
            m.yaml:3:11: error: api.shards must be a power of two, got 6
            """)
    }
}

@Test func mergeKeysAndAliasesAreResolved() throws {
    let yaml = """
    defaults: &defaults
      rate: 5
      burst: 2
    endpoints:
      login:
        <<: *defaults
        rate: 7

    """
    let document = try ModelDocument(yaml: yaml)
    let (rate, burst) = try document.validate { root -> (Double, Double) in
        let defaults = try root.object("defaults")
        _ = (try defaults.double("rate"), try defaults.double("burst"))
        let login = try root.object("endpoints").object("login")
        return (try login.double("rate"), try login.double("burst"))
    }
    #expect(rate == 7)
    #expect(burst == 2)
}

@Test func aFileThatIsNotUTF8IsAnError() throws {
    let fixture = try Fixture()
    try Data([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: fixture.directory.appendingPathComponent("bad.yaml"))
    #expect(fixture.run(base: "bad.yaml").errorLines == ["bad.yaml: error: the file is not UTF-8 text"])
}

@Test func anErrorThatIsNotAModelErrorIsStillOneLine() throws {
    struct Oops: Error, CustomStringConvertible { var description = "something broke\nbadly" }
    let document = try ModelDocument(yaml: "a: 1\n")
    do {
        _ = try document.validate { _ -> Int in throw Oops() }
        Issue.record("expected an error")
    } catch {
        #expect(error.description == "error: something broke; badly")
    }
}

/// The shape of the README's example, without the engine: an unannotated closure returning a value.
@Test func readmeUsageShapeCompilesAndReads() throws {
    struct Endpoint { var name: String; var rate: Double }
    let fixture = try Fixture(["platform.yaml": baseYAML])
    let document = try ModelDocument.load(base: fixture.path("platform.yaml"), overrides: ["api.instance.vcpu=4"],
                                          openPaths: ["api.endpoints"])
    let (vcpu, scheduler, endpoints) = try document.validate { root in
        _ = try readPlatform(root)
        let api = try root.object("api")
        let instance = try api.object("instance")
        return (
            try instance.double("vcpu", .positive),
            try api.enumeration("scheduler", as: Scheduler.self),
            try api.dictionary("endpoints").map { Endpoint(name: $0.name, rate: try $0.value.object().double("rate")) }
        )
    }
    #expect(vcpu == 4)
    #expect(scheduler == .fifo)
    #expect(endpoints.map(\.name) == ["login", "search"])
}

// MARK: - Overlays

@Test func overlayReplacesScalarsAndListsAndMergesMappings() throws {
    let fixture = try Fixture([
        "platform.yaml": baseYAML,
        "phase2.yaml": """
        api:
          instance:
            vcpu: 8
          regions: [eu]
        postgres:
          maxConnections: 300

        """,
        "phase3.yaml": "postgres:\n  maxConnections: 400\n",
        "empty.yaml": "# nothing changes in this phase\n",
    ])
    let platform = try #require(fixture.run(overlays: ["phase2.yaml", "empty.yaml", "phase3.yaml"]).value)
    #expect(platform.vcpu == 8)
    #expect(platform.memoryGb == 4)            // kept: nested mapping merged, not replaced
    #expect(platform.regions == ["eu"])        // list replaced whole
    #expect(platform.maxConnections == 400)    // later overlay wins
    #expect(platform.replicas == 1)
}

@Test func aBadValueFromAnOverlayIsReportedAtTheOverlay() throws {
    let fixture = try Fixture(["platform.yaml": baseYAML, "phase2.yaml": "api:\n  instance:\n    vcpu: -2\n"])
    #expect(fixture.run(overlays: ["phase2.yaml"]).errorLines == [
        "phase2.yaml:3:11: error: api.instance.vcpu must be positive, got -2",
    ])
}

@Test func overlayNamingAMissingKeyIsAnErrorAtTheOverlay() throws {
    let fixture = try Fixture([
        "platform.yaml": baseYAML,
        "phase2.yaml": "postgres:\n  maxConnections: 200\n  replicaz: 3\ncache:\n  sizeMb: 1\n",
    ])
    #expect(fixture.run(overlays: ["phase2.yaml"]).errorLines == [
        "phase2.yaml:3:3: error: phase overlay sets 'postgres.replicaz', which the base model does not have (did you mean 'replicas'?)",
        "phase2.yaml:4:1: error: phase overlay sets 'cache', which the base model does not have",
    ])
}

@Test func openPathsAllowNewEntriesInOverlaysOnly() throws {
    let overlay = """
    api:
      endpoints:
        checkout:
          rate: 5
        login:
          rate: 12

    """
    let fixture = try Fixture(["platform.yaml": baseYAML, "phase2.yaml": overlay])
    let platform = try #require(fixture.run(overlays: ["phase2.yaml"], openPaths: ["api.endpoints"]).value)
    #expect(platform.endpoints.map(\.name) == ["login", "search", "checkout"])
    #expect(platform.endpoints.map(\.rate) == [12, 40, 5])
    // `*` matches any one key.
    #expect(fixture.run(overlays: ["phase2.yaml"], openPaths: ["*.endpoints"]).value != nil)
    // Without the open path, a new entry is an error.
    #expect(fixture.run(overlays: ["phase2.yaml"]).errorLines == [
        "phase2.yaml:3:5: error: phase overlay sets 'api.endpoints.checkout', which the base model does not have",
    ])
    // Openness is not inherited: an existing entry still takes only the keys it has.
    try fixture.write("phase3.yaml", "api:\n  endpoints:\n    login:\n      burst: 3\n")
    #expect(fixture.run(overlays: ["phase3.yaml"], openPaths: ["api.endpoints"]).errorLines == [
        "phase3.yaml:4:7: error: phase overlay sets 'api.endpoints.login.burst', which the base model does not have",
    ])
}

@Test func errorsAreSortedBySourceOrderThenLine() throws {
    let fixture = try Fixture([
        "platform.yaml": baseYAML,
        "b-phase.yaml": "postgres:\n  replicaz: 1\n",
        "a-phase.yaml": "\n\n\napi:\n  vcpu: 1\n",
    ])
    // b-phase is applied first, so its error comes first whatever the names and lines.
    #expect(fixture.run(overlays: ["b-phase.yaml", "a-phase.yaml"], overrides: ["x=1"]).errorLines == [
        "b-phase.yaml:2:3: error: phase overlay sets 'postgres.replicaz', which the base model does not have (did you mean 'replicas'?)",
        "a-phase.yaml:5:3: error: phase overlay sets 'api.vcpu', which the base model does not have (did you mean api.instance.vcpu?)",
        "--set x=1: error: override sets 'x', which the model does not have",
    ])
}

// MARK: - Command-line overrides

@Test func overridesSetScalarsListsAndMappings() throws {
    let fixture = try Fixture(["platform.yaml": baseYAML, "phase2.yaml": "api:\n  instance:\n    vcpu: 8\n"])
    let platform = try #require(fixture.run(overlays: ["phase2.yaml"], overrides: [
        "api.instance.vcpu=4",                 // after the overlay, so it wins
        "postgres.maxConnections = 200",
        "api.regions=[ap, eu, us]",
        "api.scheduler=ps",
        "api.endpoints.login={rate: 99}",
        "api.endpoints.signup={rate: 1}",      // new entry under an open path
        "api.timeoutMs=",                      // null: back to the default
    ], openPaths: ["api.endpoints"]).value)
    #expect(platform.vcpu == 4)
    #expect(platform.maxConnections == 200)
    #expect(platform.regions == ["ap", "eu", "us"])
    #expect(platform.scheduler == .ps)
    #expect(platform.endpoints.map(\.name) == ["login", "search", "signup"])
    #expect(platform.endpoints.map(\.rate) == [99, 40, 1])
    #expect(platform.timeoutMs == 1000)
}

@Test func overrideFailures() throws {
    let fixture = try Fixture(["platform.yaml": baseYAML])
    let cases: [(override: String, expected: String)] = [
        ("api.instance.vcpux=4",
         "--set api.instance.vcpux=4: error: override sets 'api.instance.vcpux', which the model does not have (did you mean 'vcpu'?)"),
        ("api.instance.vcpu",
         "--set api.instance.vcpu: error: expected KEY=VALUE, e.g. --set api.instance.vcpu=4"),
        ("api..vcpu=4",
         "--set api..vcpu=4: error: 'api..vcpu' is not a key path; expected names separated by dots, e.g. api.instance.vcpu"),
        ("=4",
         "--set =4: error: '' is not a key path; expected names separated by dots, e.g. api.instance.vcpu"),
        ("api.regions=[eu",
         "--set api.regions=[eu: error: the value '[eu' is not valid YAML: YAML syntax error: did not find expected ',' or ']' "
            + "(while parsing a flow sequence at line 1, column 1)"),
        ("api.instance.vcpu=-2",
         "--set api.instance.vcpu=-2: error: api.instance.vcpu must be positive, got -2"),
        ("api.instance.vcpu=abc",
         "--set api.instance.vcpu=abc: error: api.instance.vcpu: expected a number, got 'abc'"),
        ("api.instance=4",
         "--set api.instance=4: error: api.instance: expected a mapping of keys, got '4'"),
        ("api.instance.vcpu.x=1",
         "--set api.instance.vcpu.x=1: error: api.instance.vcpu: expected a number, got a mapping"),
        ("api.endpoints.signup={rate: 1}",
         "--set api.endpoints.signup={rate: 1}: error: override sets 'api.endpoints.signup', which the model does not have"),
    ]
    for (override, expected) in cases {
        #expect(fixture.run(overrides: [override]).errorLines == [expected], "\(override)")
    }
}

// MARK: - Source hash

@Test func sourceHashCoversEveryByteAndOverride() throws {
    let fixture = try Fixture(["platform.yaml": baseYAML, "phase2.yaml": "api:\n  instance:\n    vcpu: 8\n"])
    func hash(_ overlays: [String] = ["phase2.yaml"], _ overrides: [String] = []) throws -> String {
        try ModelDocument.load(base: fixture.path("platform.yaml"), overlays: overlays.map(fixture.path),
                               overrides: overrides).sourceHash
    }
    let original = try hash()
    #expect(original.count == 64)
    #expect(try hash() == original)                                           // stable
    #expect(try hash([]) != original)                                         // overlay dropped
    #expect(try hash(["phase2.yaml"], ["api.instance.vcpu=4"]) != original)   // override added
    #expect(try hash(["phase2.yaml"], ["api.instance.vcpu=4"]) == hash(["phase2.yaml"], ["api.instance.vcpu=4"]))
    #expect(try hash(["phase2.yaml"], ["api.instance.vcpu=5"]) != hash(["phase2.yaml"], ["api.instance.vcpu=4"]))

    // The exact framing: contents only, in order, with byte counts.
    let phase2 = "api:\n  instance:\n    vcpu: 8\n"
    let expected = SHA256.hex(Array("file \(baseYAML.utf8.count)\n\(baseYAML)file \(phase2.utf8.count)\n\(phase2)set 19\napi.instance.vcpu=4".utf8))
    #expect(try hash(["phase2.yaml"], ["api.instance.vcpu=4"]) == expected)

    // One byte changed (a comment: the model means the same, but the files differ).
    try fixture.write("phase2.yaml", "api:\n  instance:\n    vcpu: 8\n#")
    #expect(try hash() != original)

    // The same contents in another folder hash the same: paths are not part of it.
    let other = try Fixture(["platform.yaml": baseYAML, "phase2.yaml": "api:\n  instance:\n    vcpu: 8\n"])
    #expect(try ModelDocument.load(base: other.path("platform.yaml"), overlays: [other.path("phase2.yaml")]).sourceHash == original)
}

@Test func sha256MatchesKnownVectors() {
    // FIPS 180-4 examples, plus lengths around the padding boundary (checked with sha256sum).
    #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    #expect(SHA256.hex([UInt8](repeating: 0x61, count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
    #expect(SHA256.hex([UInt8](repeating: 0x61, count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    #expect(SHA256.hex([UInt8](repeating: 0x61, count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
}
