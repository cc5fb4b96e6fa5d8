extension CalibrationResult {
    /// The overlay to write, with a header that says what made it and what it left alone.
    public func overlay(command: String, version: String, model: String, modelHash: String) -> CalibrationOverlay {
        var h = ["Calibrated overlay: the platform's own measurements in place of the model's assumptions.",
                 "Written by platform-sim \(version): \(command)",
                 "Model: \(model) (sha256 \(modelHash.prefix(12))). Apply with --overlay FILE (run, size, sensitivity) or",
                 "overlays: [FILE] in an experiment; `platform-sim validate \(model) --overlay FILE` checks it.",
                 "Each value's comment gives its source, samples and 95% interval."]
        if let t = traffic {
            h.append("")
            for f in t.files { h.append("Access log \(f.path): \(f.lines) lines, \(f.bytes) bytes, \(f.format.rawValue) format.") }
            h.append("Period \(Bytes.isoTime(t.firstArrival)) to \(Bytes.isoTime(t.lastArrival)), \(t.wholeDays) whole UTC day\(t.wholeDays == 1 ? "" : "s").")
            if t.unparsed.count > 0 {
                h.append("\(t.unparsed.count) lines did not parse and were left out; the first ones:")
                for s in t.unparsed.samples { h.append("  \(s.file):\(s.line):\(s.column): \(s.reason)") }
            }
            if t.unknownRouteLines > 0 {
                h.append("\(t.unknownRouteLines) requests on routes the route table does not know (calibration.routes); the busiest:")
                for r in t.unknownRoutes.prefix(5) { h.append("  \(r.route): \(r.requests)") }
            }
        }
        if !notes.isEmpty { h.append(""); h += notes }
        if !skipped.isEmpty {
            h.append("")
            h.append("Left as the model has them:")
            for s in skipped { h.append("  \(s.keyPath): \(s.reason)") }
        }
        return CalibrationOverlay(header: h, parameters: parameters)
    }

    /// The report `calibrate` prints: what the inputs showed, the parameters set with their
    /// intervals, and what was left alone and why.
    public func renderText() -> String {
        var out = ""
        if let t = traffic {
            out += "Access log: \(t.parsedLines) requests from \(Bytes.isoTime(t.firstArrival)) to \(Bytes.isoTime(t.lastArrival)) (\(t.wholeDays) whole UTC day\(t.wholeDays == 1 ? "" : "s"))"
            out += t.unparsed.count > 0 ? "; \(t.unparsed.count) lines did not parse\n" : "\n"
            for s in t.unparsed.samples { out += "  \(s.file):\(s.line):\(s.column): \(s.reason): \(s.text)\n" }
            if t.outOfOrder > 0 { out += "  \(t.outOfOrder) lines logged more than a minute before lines above them (kept)\n" }
            out += "  session stream \(t.sessionRequests), unauthenticated \(t.unauthenticatedRequests), webhooks \(t.webhooks), static \(t.staticAssets), health \(t.healthChecks), refresh \(t.refreshes), other \(t.otherRequests), unknown routes \(t.unknownRouteLines)\n"
            out += "  users with a user id: \(t.users)"
            if let seen = t.seenUsersPerDay, let pool = t.activePoolPerDay {
                out += "; per whole day \(NumberText.significant(seen, 4)) seen, a pool of \(NumberText.significant(pool, 4)) active (those without a session that day restored)"
            }
            out += "\n"
            out += "  page views: requests less than \(NumberText.significant(t.pageGap)) s apart; sessions: \(t.sessionGapNote)"
            if let m = t.mergedSessionShare { out += "; \(percent(m)) of sessions merged by the gap rule restored" }
            out += "\n"
            if let m = t.busiestMinute {
                out += "  busiest minute \(Bytes.isoTime(m.start)): \(m.requests) requests (\(NumberText.significant(Double(m.requests) / 60, 3))/s)"
                if !m.hourMean.isNaN { out += ", \(NumberText.significant(Double(m.requests) / Swift.max(1e-9, m.hourMean), 3))x its hour's mean minute" }
                if let h = t.busiestHour { out += "; busiest hour \(Bytes.isoTime(h.start)): \(h.requests) requests" }
                if let d = t.minuteDispersion { out += "; minute counts in it \(NumberText.significant(d, 3))x as variable as Poisson arrivals" }
                out += "\n"
            }
            if !t.unknownRoutes.isEmpty {
                out += "  routes the table does not know (add them to calibration.routes):\n"
                for r in t.unknownRoutes.prefix(10) { out += "    \(r.route): \(r.requests)\n" }
            }
            let rows = t.endpoints
            if !rows.isEmpty {
                out += "\n" + pad(["endpoint", "requests", "429", "5xx", "p50 ms", "p95 ms", "p99 ms"], [18, 10, 8, 8, 9, 9, 9])
                for r in rows {
                    func ms(_ x: Double?) -> String { x.map { NumberText.significant($0, 3) } ?? "-" }
                    out += pad([r.endpoint, "\(r.requests)", "\(r.rateLimited)", "\(r.serverErrors)", ms(r.p50), ms(r.p95), ms(r.p99)], [18, 10, 8, 8, 9, 9, 9])
                }
            }
        }
        if let db = database, !db.rows.isEmpty {
            out += "\npg_stat_statements over the interval\n"
            out += pad(["query", "calls", "ms/statement", "+-95%", "rows ms/txn"], [22, 10, 14, 10, 12])
            for r in db.rows {
                out += pad([r.query, "\(Int(r.calls))", NumberText.significant(r.meanMs, 4), NumberText.significant(r.halfWidthMs, 2), NumberText.significant(r.rowPartMs, 3)], [22, 10, 14, 10, 12])
            }
            if !db.unmapped.isEmpty {
                out += "  unmapped statements (add a pattern to calibration.statements), by time:\n"
                for u in db.unmapped.prefix(5) { out += "    \(NumberText.significant(u.timeMs, 4)) ms, \(Int(u.calls)) calls: \(u.query)\n" }
            }
        }
        if let d = demand {
            out += "\nAPI CPU per request by regression on \(d.intervals) intervals: \(NumberText.significant(d.demand * 1000, 4)) ms (95% interval \(NumberText.significant(d.low * 1000, 4)) to \(NumberText.significant(d.high * 1000, 4))), \(NumberText.significant(d.background, 3)) busy cores with no requests, R^2 \(NumberText.significant(d.rSquared, 3))\n"
        }
        for n in notes { out += n + "\n" }
        if !parameters.isEmpty {
            out += "\nMeasured parameters\n"
            for p in parameters {
                let value = p.value ?? "{" + p.entries.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"
                out += "  \(p.keyPath) = \(value.count > 90 ? String(value.prefix(87)) + "..." : value)\n      \(p.comment)\n"
            }
        }
        if !skipped.isEmpty {
            out += "\nLeft as the model has them\n"
            for s in skipped { out += "  \(s.keyPath): \(s.reason)\n" }
        }
        return out
    }

    func pad(_ cells: [String], _ widths: [Int]) -> String {
        var line = ""
        for (i, c) in cells.enumerated() {
            let w = widths[i]
            line += i == 0 ? c.padding(toLength: Swift.max(w, c.count + 1), withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: Swift.max(1, w - c.count)) + c
        }
        return "  " + line + "\n"
    }
}
