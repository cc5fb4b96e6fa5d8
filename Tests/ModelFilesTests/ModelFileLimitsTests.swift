import Foundation
import Testing
@testable import ModelFiles

// Files that would make the loader expand, recurse or read without bound end in one located
// error, quickly and in little memory.

/// The "billion laughs": nine anchors, each a list of nine aliases of the one before: 9^9
/// values (387 million) from a file of a few hundred bytes.
func billionLaughs() -> String {
    var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        previous = name
    }
    return lines.joined(separator: "\n") + "\n"
}

/// Loads `text` as a model file; the error lines with the folder removed, or [] when it loads.
func loadErrors(_ text: String, name: String = "bomb.yaml") throws -> [String] {
    let fixture = try Fixture([name: text])
    do {
        _ = try ModelDocument.load(base: fixture.path(name))
        return []
    } catch {
        return error.description.replacingOccurrences(of: fixture.directory.path + "/", with: "")
            .split(separator: "\n").map(String.init)
    }
}

@Test func nestedAliasesStopAtTheExpansionLimit() throws {
    let text = billionLaughs()
    #expect(text.utf8.count < 450)
    let clock = ContinuousClock()
    let start = clock.now
    let errors = try loadErrors(text)
    #expect(clock.now - start < .seconds(5))
    #expect(errors.count == 1)
    #expect(errors.first?.hasPrefix("bomb.yaml:") == true)
    #expect(errors.first?.contains("YAML aliases") == true, "\(errors)")
}

@Test func aliasesAreLimitedByCountAndDepth() throws {
    // Depth: each anchor holds one alias of the one before, 12 deep.
    var deep = ["a0: &a0 [x]"]
    for i in 1...12 { deep.append("a\(i): &a\(i) [*a\(i - 1)]") }
    let depthErrors = try loadErrors(deep.joined(separator: "\n") + "\n")
    #expect(depthErrors.count == 1)
    #expect(depthErrors.first?.contains("nest more than \(ModelFileLimits.maxAliasDepth) deep") == true, "\(depthErrors)")

    // Count: one anchor repeated 1,001 times, no nesting.
    let many = "a: &a 1\nb: [" + Array(repeating: "*a", count: ModelFileLimits.maxAliasExpansions + 1).joined(separator: ", ") + "]\n"
    let countErrors = try loadErrors(many)
    #expect(countErrors.first?.contains("more than \(ModelFileLimits.maxAliasExpansions) YAML aliases") == true, "\(countErrors)")

    // Shared defaults through merge keys stay fine.
    let defaults = "defaults: &d {rate: 5, burst: 2}\na: {<<: *d, rate: 7}\nb: {<<: *d}\n"
    #expect(try loadErrors(defaults) == [])
}

@Test func anAliasAsAKeyOrAnExplicitKeyIsRefusedBeforeParsing() throws {
    // Yams hashes keys to find duplicates: an aliased list as a key would be walked in full.
    #expect(try loadErrors(billionLaughs() + "*i : 1\n") == [
        "bomb.yaml:10:1: error: a YAML alias cannot be a key: a key is a name",
    ])
    #expect(try loadErrors("? [a, b]\n: 1\n") == [
        "bomb.yaml:1:1: error: explicit '? ' keys are not used in model files: a key is a name",
    ])
    // Inside quotes, comments and block scalars the same characters are text.
    #expect(try loadErrors("q: >\n  *a : b\n  ? x\nr: \"*a : b\"\ns: '? c' # *d : e\n") == [])
}

@Test func deepNestingIsAnErrorNotAStackOverflow() throws {
    let brackets = try loadErrors("a: " + String(repeating: "[", count: 100_000) + "\n")
    #expect(brackets == [
        "bomb.yaml:1:104: error: lists and mappings nest more than 100 deep here; a model nests a few levels",
    ])
    let dashes = try loadErrors(String(repeating: "- ", count: 5_000) + "x\n")
    #expect(dashes.first?.contains("nest more than 100 deep") == true, "\(dashes)")
    // 100 levels are fine.
    #expect(try loadErrors("a: " + String(repeating: "[", count: 99) + String(repeating: "]", count: 99) + "\n") == [])
}

@Test func filesAreReadOnlyUpToTheSizeLimitAndOnlyWhenRegular() throws {
    let big = try loadErrors("a: " + String(repeating: "x", count: ModelFileLimits.maxFileBytes) + "\n")
    #expect(big.count == 1)
    #expect(big.first?.hasPrefix("bomb.yaml: error: the file has \(ModelFileLimits.maxFileBytes + 4) bytes; a model file may have at most") == true,
            "\(big)")
    do {
        _ = try ModelDocument.load(base: "/dev/zero")
        Issue.record("expected an error")
    } catch {
        #expect(error.description == "/dev/zero: error: is not a regular file")
    }
}

@Test func aFileThatIsNotYAMLIsNotEchoed() throws {
    let secret = "root:x:0:0:root:/root:/bin/bash\nhunter2:topsecret\n"
    let errors = try loadErrors(secret, name: "passwd")
    #expect(errors == ["passwd:1:1: error: a model file must be a mapping of keys at the top level, got text, not YAML keys and values (is it a model file?)"])
    #expect(!errors.joined().contains("root:x"))
    #expect(!errors.joined().contains("hunter2"))
}
