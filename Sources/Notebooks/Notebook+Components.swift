import Analysis
import PlatformModel
import Reports
import Formatting

/// What saturates first, the caches, the background jobs.
extension Notebook {
    func saturationFindings() -> [Finding] {
        var bullets: [String] = []
        var kinds: [ComponentKind] = []
        for c in s.configurations {
            guard let v = variants(of: c).first else { continue }
            let gauges = ExperimentCharts.gauges(m, configuration: c, variant: v)
            let counts = m.userCounts
            var text = "- " + name(c, v) + ": "
            if let i = counts.indices.first(where: { i in gauges.contains { $0.values[i] >= DiagnosisRules.saturation } }) {
                let hot = gauges.filter { $0.values[i] >= DiagnosisRules.saturation }.sorted { $0.values[i] > $1.values[i] }
                text += "\(Prose.list(hot.map { "\($0.gauge.label) (\(Prose.utilization($0.values[i])))" })) reach\(hot.count == 1 ? "es" : "") 85% first, at \(Prose.users(counts[i]))"
                for g in hot { if let k = kind(of: g.gauge.component, c, v), !kinds.contains(k) { kinds.append(k) } }
            } else {
                let last = counts.count - 1
                let busiest = gauges.filter { $0.values[last].isFinite }.sorted { $0.values[last] > $1.values[last] }.prefix(2)
                text += "no component reaches 85% up to \(Prose.users(counts[last]))"
                if !busiest.isEmpty { text += " (busiest there: " + Prose.list(busiest.map { "\($0.gauge.label) \(Prose.utilization($0.values[last]))" }) + ")" }
                // Idle servers are not headroom when requests fail on a hard limit.
                let failing = users(c, v).compactMap { m.cell(c, v, $0) }.filter { $0.sloErrorRate > s.sloErrorRate }
                if let worst = failing.max(by: { $0.sloErrorRate < $1.sloErrorRate || ($0.sloErrorRate == $1.sloErrorRate && $0.users > $1.users) }) {
                    text += ", yet that is not headroom: at \(Prose.users(worst.users)) \(Prose.percent(worst.sloErrorRate)) of requests fail in ways the SLO counts ("
                    text += errorBreakdown(worst) + "), on a limit that is not a busy server (see the findings above)"
                }
            }
            // The linear extrapolation from the largest count with headroom left.
            if let u = users(c, v).last(where: { (m.cell(c, v, $0)?.headroomUsers ?? 0) > 0 }), let cell = m.cell(c, v, u),
               let headroom = cell.headroomUsers, let component = cell.headroomComponent {
                // A volume's size ends the headroom when the data outgrows it: say so, it is not a busy server.
                let full = users(c, v).compactMap { m.cell(c, v, $0) }.contains { $0.causes.contains { $0.kind == .volumeFull && $0.component == component } }
                text += "; extrapolating the \(Prose.count(u)) run in proportion to users, "
                text += full ? "the first fixed capacity to run out would be the size of `\(component)` (the data outgrows it) at about \(Prose.approxUsers(Double(u) + headroom)) users"
                    : "the first fixed-capacity component to saturate would be `\(component)` at about \(Prose.approxUsers(Double(u) + headroom)) users"
                if let k = kind(of: component, c, v), !kinds.contains(k) { kinds.append(k) }
            }
            bullets.append(text + ".")
        }
        guard !bullets.isEmpty else { return [] }
        var text = bullets.joined(separator: "\n")
        let why = kinds.compactMap(saturationMechanism)
        if !why.isEmpty { text += "\n\n" + why.joined(separator: " ") }
        text += " The extrapolation assumes load grows in proportion to users and counts CPU, threads, worker slots and provider rate limits; hard limits such as `max_connections`, pools and per-IP windows show up as errors instead (see the findings above)."
        return [Finding(title: "What saturates first, and when", text: text)]
    }

    /// The kind of a component in a line's results.
    func kind(of component: String, _ c: String, _ v: String) -> ComponentKind? {
        for u in m.userCounts { if let k = m.component(component, c, v, u)?.kind { return k } }
        return nil
    }

    func saturationMechanism(_ kind: ComponentKind) -> String? {
        let model = s.configurations.lazy.compactMap { self.model($0, self.variants(of: $0).first ?? "") }.first
        switch kind {
        case .apiProcess:
            var t = "An API process runs its JavaScript on one event loop, so a process is as busy as its loop; the API scales out"
            if case .horizontal(_, _, let hi)? = model?.api.scaling { t += " (up to \(hi) instances, `api.scaling.max`)" }
            return t + ", so the event loops saturate only at that ceiling."
        case .postgresPrimary:
            var t = "Postgres has one primary, which scales up only"
            if let top = model?.database.postgres.ladder.last { t += ", to the largest size on its ladder (\(top.name), \(Prose.number(top.vcpu)) vCPU)" }
            return t + "; past its best concurrency its throughput falls (the Universal Scalability Law fitted to pgbench), so it is the classic single point that read replicas and sharding relieve."
        case .postgresReplica: return "Read replicas scale out to `database.replicas.scaling.max`; reads that must see the user's own recent writes still go to the primary."
        case .storageVolume:
            return "Each Postgres server reads the pages its buffer cache (shared_buffers and the OS page cache) misses from its volume, whose IOPS limit every page read, commit and checkpoint shares (`database.storage`, the volume classes in the pricing catalog); a larger size caches more of the active users' data and reads less."
        case .redis: return "Redis executes commands on a single thread: one core, whatever the size of the instance."
        case .pgbouncer: return "PgBouncer is single-threaded too: one core per process."
        case .externalService: return "A provider accepts only so many calls per second on the account (`externalServices.*.rateLimitPerS` in the model); beyond it calls are rejected."
        case .workers: return "Workers scale out up to `workers.scaling.max` instances of `workers.concurrency` slots each."
        case .threadPool:
            return "bcrypt runs on libuv's thread pool, \(model.map { "\($0.api.threadPoolSize)" } ?? "a few") threads per process (`api.threadPoolSize`)."
        case .loadBalancer, .rateLimiter, .connectionPool, .cdn: return nil
        }
    }

    func cacheFindings() -> [Finding] {
        let caches = m.cacheNames.filter { $0 != "cdn-edge" }
        // Variants about a cache explain it already.
        if s.variants.contains(where: { v in changedKeys(v).contains { $0.hasPrefix("caches.") } }) { return [] }
        guard !caches.isEmpty else { return [] }
        var bullets: [String] = []
        for cache in caches {
            for c in s.configurations {
                guard let v = variants(of: c).first, let model = model(c, v), let cm = model.caches.first(where: { $0.name == cache }) else { continue }
                let cells = users(c, v).compactMap { u in m.cache(cache, c, v, u).map { (u, $0) } }
                guard let lo = cells.first, let hi = cells.last else { continue }
                var t = "- `\(cache)` in \(name(c, v)) (\(cm.location.rawValue), TTL \(Prose.seconds(cm.ttl))): \(Prose.utilization(lo.1.hitRate)) of lookups hit at \(Prose.users(lo.0))"
                if hi.0 != lo.0 { t += ", \(Prose.utilization(hi.1.hitRate)) at \(Prose.users(hi.0))" }
                if hi.1.predicted > 0 { t += " (the TTL formula predicts \(Prose.utilization(hi.1.predicted)))" }
                bullets.append(t + ".")
            }
        }
        guard !bullets.isEmpty else { return [] }
        let text = bullets.joined(separator: "\n") + "\n\n"
            + "A per-user entry is found only if the same user asked within the TTL (in the same process for a cache in the process), so hit rates depend on how a user's requests bunch up, not on the number of users; "
            + "the TTL formula h = λT/(1+λT) uses each user's average rate and misses that bunching (sessions), which is why it predicts less than is measured. "
            + "A cache in the process is split across the API processes, so it hits less as the API scales out; in Redis it is shared."
        return [Finding(title: "Caches: hit rates come from how requests bunch up", text: text)]
    }

    func jobFindings() -> [Finding] {
        var bullets: [String] = []
        var fine: [String] = []
        // Reasons a bullet already gave, and the job and line it gave them for: each text is
        // written once (the same cell, or two variants that change nothing in that cell's runs).
        var explained: [String: (job: String, configuration: String, variant: String)] = [:]
        for job in m.jobNames {
            var p99s: [Double] = []
            for l in m.lines {
                let (c, v) = (l.configuration, l.variant)
                let cells = users(c, v).compactMap { u in m.job(job, c, v, u).map { (u, $0) } }.filter { $0.1.enqueued > 0 }
                guard let hi = cells.last else { continue }
                let lost = cells.filter { Double($0.1.deadLettered) > 0.005 * Double($0.1.enqueued) }
                if lost.isEmpty {
                    if hi.1.completed > 0 { p99s.append(hi.1.p99Ms) }
                    continue
                }
                var t = "- `\(job)` in \(name(c, v)): "
                t += Prose.list(lost.map { "\(Format.grouped($0.1.deadLettered)) of \(Format.grouped($0.1.enqueued)) jobs ran out of attempts at \(Prose.users($0.0))" }) + "."
                let (u, _) = lost.last!
                if let reasons = jobFailureReasons(c, v, u) {
                    let key = "\(u)\u{1}\(reasons)"
                    if let earlier = explained[key] {
                        let line = (earlier.configuration, earlier.variant) == (c, v) ? "" : " in \(name(earlier.configuration, earlier.variant))"
                        t += " At \(Prose.users(u)) for the same reasons as `\(earlier.job)`\(line) above."
                    } else {
                        explained[key] = (job, c, v)
                        t += " At \(Prose.users(u)): " + reasons + "."
                    }
                }
                bullets.append(t)
            }
            if let lo = p99s.min(), let hi = p99s.max() {
                fine.append("`\(job)` " + (lo == hi ? Prose.ms(lo) : "\(Prose.ms(lo)) to \(Prose.ms(hi))"))
            }
        }
        guard !bullets.isEmpty || !fine.isEmpty else { return [] }
        var text = bullets.joined(separator: "\n")
        if !fine.isEmpty {
            text += (text.isEmpty ? "" : "\n\n") + (bullets.isEmpty ? "No background job ran out of attempts. " : "Elsewhere no job ran out of attempts. ")
            text += "From enqueue to completion, the p99 at each line's largest user count: " + Prose.list(fine) + ": the user does not wait for it, but an email or a score arrives that much later."
        }
        text += "\n\nA job that fails is retried with exponential backoff until its attempts run out; then it is dead-lettered: work the API accepted but never did, which the request error rate does not show. "
        if !bullets.isEmpty {
            text += "Counts cover the measured window, so a job enqueued during the warm-up can run out of attempts in it (the dead-lettered count can exceed the jobs enqueued in the window). "
            text += "Every retry of a send calls the provider again, so a failure after the provider call (the database refusing the job's insert) turns into extra provider calls."
        }
        return [Finding(title: bullets.isEmpty ? "Background jobs: how long the queue delays the work" : "Background jobs: what the queue hides", text: text)]
    }

    /// What made jobs fail in a cell: refused database connections, provider rejections.
    func jobFailureReasons(_ c: String, _ v: String, _ u: Int) -> String? {
        var parts: [String] = []
        if let pg = m.component(kind: .postgresPrimary, c, v, u), pg.limitHits > 0 {
            var t = "Postgres refused \(Format.grouped(Int(saturating: pg.limitHits.rounded()))) connections"
            if let model = model(c, v, u), !model.database.pgbouncer.enabled {
                let (api, workers) = processes(model, c, v, u)
                let limit = Double(model.database.pool.effectiveLimit)
                t += " (\(Prose.number(api)) API and \(Prose.number(workers)) worker processes, each with a pool of up to \(Prose.number(limit)) connections straight to Postgres: up to \(Prose.number((api + workers) * limit)) against `max_connections` = \(model.database.postgres.maxConnections))"
            } else {
                t += " (max_connections \(Prose.number(pg.figure(.maxConnections))))"
            }
            parts.append(t)
        }
        if let b = m.component(kind: .pgbouncer, c, v, u), b.figure(.refusedClients) > 0 {
            parts.append("PgBouncer refused \(Format.grouped(Int(saturating: b.figure(.refusedClients).rounded()))) client connections")
        }
        for name in m.componentNames(c, v) {
            guard let x = m.component(name, c, v, u), x.kind == .externalService, x.limitHits > 0 else { continue }
            parts.append("\(ComponentGauge.displayName(name)) rejected \(Format.grouped(Int(saturating: x.figure(.rateLimited).rounded()))) calls over its rate limit and failed \(Format.grouped(Int(saturating: x.figure(.failures).rounded()))) (\(Prose.number(x.throughputPerS)) calls/s)")
        }
        return parts.isEmpty ? nil : Prose.list(parts)
    }
}
