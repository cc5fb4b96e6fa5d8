import Reports
import Formatting

extension Notebook {
    /// The grid, the window, the overrides and variants, and the command that makes it again.
    func whatWasRun() -> String {
        var rows: [(String, String)] = []
        rows.append(("experiment file", Prose.code(input.experimentFile)))
        var modelText = Prose.code(e.model) + " with each configuration's overlays"
        if !e.overlays.isEmpty { modelText += ", then the experiment's own: " + e.overlays.map(Prose.code).joined(separator: ", ") }
        rows.append(("model", modelText))
        if let first = input.results.runs.first {
            rows.append(("pricing", Prose.code(first.run.pricingFile) + (e.pricing == nil ? " (the model's own)" : "")))
        }
        let configs = e.configurations.map { c -> String in
            let overlays = input.configurationOverlays[c] ?? []
            return Prose.code(c) + (overlays.isEmpty ? " (the base file alone)" : " (+ " + overlays.map(Prose.code).joined(separator: ", ") + ")")
        }
        rows.append(("configurations", configs.joined(separator: "; ")))
        var users = e.users.map(Format.users).joined(separator: ", ") + " registered users"
        if let f = self.model(e.configurations[0], s.variants.first ?? "")?.traffic.dailyActiveFraction {
            users += " (\(Format.percent(f, 0)) of them active in a day)"
        }
        rows.append(("user counts", users))
        rows.append(("window", windowText()))
        rows.append(("seeds", seedsText()))
        let requests = input.results.runs.reduce(0) { $0 + $1.run.requests }
        rows.append(("runs", "\(Format.grouped(input.results.runs.count)) (\(s.configurations.count) configuration\(s.configurations.count == 1 ? "" : "s") × \(s.variants.count) variant\(s.variants.count == 1 ? "" : "s") × \(s.userCounts.count) user count\(s.userCounts.count == 1 ? "" : "s") × \(e.seeds.count) seed\(e.seeds.count == 1 ? "" : "s")), \(Format.grouped(requests)) requests measured in all"))
        rows.append(("SLO", "p99 ≤ \(Format.number(s.sloP99Ms)) ms and errors it counts ≤ \(Format.percent(s.sloErrorRate, 2)) (server errors and false 429s" + (s.sloCountsIntended429s ? ", intended 429s too" : "") + "; a cell meets it when both hold, means over its seeds)"))
        var t = TextTable(["", ""], alignments: [.left, .left])
        for r in rows { t.add([r.0, r.1]) }
        var out = t.markdown() + "\n"

        if !e.overrides.isEmpty {
            out += "Every run also sets:\n\n" + e.overrides.map { "- `\($0)`" }.joined(separator: "\n") + "\n\n"
        }
        if m.hasVariants || e.variants.contains(where: { !$0.overrides.isEmpty }) {
            var v = TextTable(["variant", "overrides (on top of the configuration)"], alignments: [.left, .left])
            for variant in e.variants {
                v.add([Prose.code(variant.name), variant.overrides.isEmpty ? "none: the configuration as written" : variant.overrides.map { "`\($0)`" }.joined(separator: "<br>")])
            }
            out += "Each cell runs once per variant:\n\n" + v.markdown() + "\n"
        }
        if !e.cellOverrides.isEmpty {
            out += "Some cells set more:\n\n"
            for c in e.cellOverrides {
                var which: [String] = []
                if let cs = c.configurations { which.append("configurations " + cs.map(Prose.code).joined(separator: ", ")) }
                if let us = c.users { which.append("users " + us.map(Format.users).joined(separator: ", ")) }
                if let vs = c.variants { which.append("variants " + vs.map(Prose.code).joined(separator: ", ")) }
                out += "- " + (which.isEmpty ? "every cell" : which.joined(separator: "; ")) + ": " + c.overrides.map { "`\($0)`" }.joined(separator: ", ") + "\n"
            }
            out += "\n"
        }
        out += "To make this notebook again (from the project root; the results do not depend on the number of jobs, and byte-identical files come out):\n\n"
        out += "```sh\nswift build -c release\n\(input.command)\n```\n\n"
        out += "The runs go to a temporary results database unless `--db FILE` names one to keep "
        out += "(then `platform-sim report --db FILE --experiment \(e.name)` prints the tables again).\n\n"
        return out
    }

    func windowText() -> String {
        let w = e.window
        var text = "\(Prose.seconds(w.warmUpS)) of warm-up (caches and queues fill), then \(Prose.seconds(w.durationS)) measured"
        if let hour = input.results.runs.first?.run.windowStartHour {
            let clock = Self.clock(hour)
            text += w.startHour == nil ? ", from \(clock), the busiest hour of the day's traffic profile" : ", from \(clock)"
        }
        return text
    }

    /// `14:00`, `09:30`.
    static func clock(_ hour: Double) -> String {
        let minutes = Int((hour * 60).rounded())
        let h = (minutes / 60) % 24, mm = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (mm < 10 ? "0" : "") + "\(mm)"
    }

    func seedsText() -> String {
        let seeds = e.seeds
        if seeds.allSatisfy({ $0.replication == 0 }) {
            let list = seeds.map { String($0.seed) }.joined(separator: ", ")
            return seeds.count == 1 ? "seed \(list): one run per cell, so differences under a few percent are noise" : "seeds \(list): figures are means over \(seeds.count) runs per cell"
        }
        return "\(seeds.count) replications of seed \(seeds[0].seed): figures are means over them"
    }
}
