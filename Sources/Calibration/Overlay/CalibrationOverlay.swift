import Foundation

/// The model overlay a calibration writes: every measured value at its key path with a
/// `measured:` comment in place of `assumption`, and under `calibration.measured` each number's
/// 95% interval, sample count, source and joint draws, which the schema checks and `run` and
/// `sweep` draw from. Its header says what made it and what was left alone.
public struct CalibrationOverlay: Sendable {
    public var header: [String]
    public var parameters: [CalibratedParameter]

    public init(header: [String], parameters: [CalibratedParameter]) {
        self.header = header
        self.parameters = parameters
    }

    /// The overlay as YAML text.
    public func render() -> String {
        var out = header.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + "\n"
        // Nest the key paths, keeping the first appearance order at every level.
        final class Node {
            var children: [(String, Node)] = []
            var parameter: CalibratedParameter?
            func child(_ name: String) -> Node {
                if let c = children.first(where: { $0.0 == name }) { return c.1 }
                let n = Node()
                children.append((name, n))
                return n
            }
        }
        let root = Node()
        for p in parameters {
            var node = root
            for part in p.keyPath.split(separator: ".") { node = node.child(String(part)) }
            node.parameter = p
        }
        func line(_ indent: Int, _ text: String, _ comment: String?) -> String {
            let body = String(repeating: " ", count: indent) + text
            guard let comment, !comment.isEmpty else { return body + "\n" }
            return body.padding(toLength: Swift.max(body.count + 2, 40), withPad: " ", startingAt: 0) + "# " + comment + "\n"
        }
        func emit(_ node: Node, _ indent: Int) {
            for (name, child) in node.children {
                if let p = child.parameter {
                    if let v = p.value {
                        out += line(indent, "\(name): \(v)", p.comment)
                    } else {
                        out += line(indent, "\(name):", p.comment)
                        for e in p.entries { out += line(indent + 2, "\(e.name): \(e.value)", nil) }
                    }
                } else {
                    out += line(indent, "\(name):", nil)
                    emit(child, indent + 2)
                }
            }
        }
        out += "\n"
        emit(root, 0)
        let measured = parameters.flatMap(\.measurements)
        if !measured.isEmpty {
            out += "\n# What each measured number rests on: its value, 95% interval, samples and source, and\n"
            out += "# \(measured.first!.draws.count) joint draws (bootstrap replicates, draw i of every number from the same\n"
            out += "# replicate), from which `run --parameter-uncertainty` and sweeps draw the parameters.\n"
            out += "calibration:\n  measured:\n"
            for m in measured {
                let draws = m.draws.map { NumberText.significant($0, 4) }.joined(separator: ", ")
                out += "    \(m.name): {value: \(NumberText.significant(m.value, 6)), low: \(NumberText.significant(m.low, 4)), high: \(NumberText.significant(m.high, 4)), "
                out += "samples: \(m.samples), source: \(Self.quoted(m.source)), draws: [\(draws)]}\n"
            }
        }
        return out
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
