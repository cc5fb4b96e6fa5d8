import SimulationEngine

extension PlatformSimulation {
    /// One transaction: app pool, then (for the primary, when enabled) a PgBouncer server
    /// connection and its CPU, the network, the server's cores, and back. Returns true when the
    /// interpreter may go on at once (it never does: a query always waits for something).
    mutating func queryStep(_ r: Int32, query qi: Int, in sim: inout Simulator) -> Bool {
        let now = sim.now
        let db = model.database
        switch QueryPhase(rawValue: requests[Int(r)].phase) ?? .start {
        case .start:
            let q = hot.queries[qi]
            let user = Int(requests[Int(r)].user)
            let shards = plan.shards
            let shard = user >= 0 ? users.shard(of: user, shards: shards) : databaseRNG.nextInt(below: shards)
            var server = shard
            if replicasPerShard > 0 && q.replicaEligible && !q.write {
                let recentWrite = user >= 0 && now - Double(lastWrite[user]) - origin < db.replicas.readYourWritesWindow
                if recentWrite {
                    if measuring { staleReadsAvoided += 1 }
                } else if let loss = replicaLoss, loss.contains(now) {
                    if measuring { replicaFallbacks += 1 }
                } else {
                    replicaCursor += 1
                    server = shards + shard * replicasPerShard + replicaCursor % replicasPerShard
                }
            }
            requests[Int(r)].server = Int32(server)
            let pool = Int(requests[Int(r)].process) * shards + shard
            requests[Int(r)].pool = Int32(pool)
            switch pools[pool].acquire(r, in: &sim) {
            case .acquired:
                if measuring { Self.record(0, in: &poolWait) }
                requests[Int(r)].phase = QueryPhase.poolConnected.rawValue
                return queryStep(r, query: qi, in: &sim)
            case .mustOpen:
                guard openAppConnection(pool: pool, shard: shard) else {
                    requests[Int(r)].pool = -1
                    fail(r, .connectionRefused, in: &sim)
                    return false
                }
                pools[pool].opened(at: now)
                if measuring { Self.record(0, in: &poolWait) }
                requests[Int(r)].phase = QueryPhase.poolConnected.rawValue
                let connect = (db.pgbouncer.enabled ? db.pool.connectTimeViaPgBouncer : db.pool.connectTime).sample(&databaseRNG)
                sim.schedule(at: now + connect, kind: Kind.resume, entity: r)
                return false
            case .queued:
                return false
            }
        case .poolConnected:
            let server = Int(requests[Int(r)].server)
            if db.pgbouncer.enabled && server < plan.shards {
                let perShard = plan.pgbouncerProcesses
                let b = server * perShard + Int(r) % perShard
                requests[Int(r)].bouncer = Int32(b)
                switch bouncers[b].serverPool.acquire(r, in: &sim) {
                case .acquired:
                    break
                case .mustOpen:
                    guard servers[server].openBackend() else {
                        requests[Int(r)].bouncer = -1
                        releaseAppConnection(r, in: &sim)
                        fail(r, .connectionRefused, in: &sim)
                        return false
                    }
                    bouncers[b].serverPool.opened(at: now)
                    requests[Int(r)].phase = QueryPhase.serverConnected.rawValue
                    sim.schedule(at: now + db.pool.connectTime.sample(&databaseRNG), kind: Kind.resume, entity: r)
                    return false
                case .queued:
                    return false
                }
            }
            requests[Int(r)].phase = QueryPhase.serverConnected.rawValue
            return queryStep(r, query: qi, in: &sim)
        case .serverConnected:
            let q = hot.queries[qi]
            let server = Int(requests[Int(r)].server)
            let user = Int(requests[Int(r)].user)
            let weight = user >= 0 ? Double(users.weight[user]) : 1
            let page = Double(requests[Int(r)].pageLimit)
            let rows = hot.rows(q, userWeight: weight, page: page)
            var cpu = rows * q.cpuPerRow
            for _ in 0..<q.statements { cpu += hot.distributions[Int(q.statementCPU)].sample(&databaseRNG) }
            var io = rows * q.pagesPerRow * servers[server].missRatio * db.postgres.diskRead.mean
            if q.write { io += db.postgres.walFlush.sample(&databaseRNG) }
            requests[Int(r)].queryCPU = Swift.max(1e-7, cpu)
            let isList = !requests[Int(r)].isJob && hot.endpoints[Int(requests[Int(r)].path)].requestedLimit >= 0
            requests[Int(r)].rows = Float(isList ? Swift.min(page, q.rowsPerUser * weight) : 1)
            if measuring {
                servers[server].queries += 1
                servers[server].rowsRead += rows
                if q.write { servers[server].writes += 1 }
            }
            var t = now
            let b = Int(requests[Int(r)].bouncer)
            if b >= 0 {
                var bouncerCPU = 0.0
                for _ in 0..<q.statements { bouncerCPU += db.pgbouncer.cpuPerStatement.sample(&databaseRNG) }
                t = bouncers[b].cpu.serve(arrival: now + db.pgbouncer.hopLatency, service: bouncerCPU)
            }
            requests[Int(r)].phase = QueryPhase.inDatabase.rawValue
            sim.schedule(at: t + db.postgres.networkRoundTrip / 2 + Swift.max(0, io), kind: Kind.databaseArrival, entity: r)
            return false
        case .inDatabase:
            preconditionFailure("a request in the database is resumed by its completion")
        case .returned:
            let b = Int(requests[Int(r)].bouncer)
            if b >= 0 {
                requests[Int(r)].bouncer = -1
                if let next = bouncers[b].serverPool.release(in: &sim) {
                    if measuring { Self.record(bouncers[b].serverPool.lastWait, in: &bouncerWait) }
                    requests[Int(next)].phase = QueryPhase.serverConnected.rawValue
                    sim.schedule(at: now, kind: Kind.resume, entity: next)
                }
            }
            releaseAppConnection(r, in: &sim)
            let q = hot.queries[qi]
            let user = Int(requests[Int(r)].user)
            if q.write && user >= 0 { lastWrite[user] = Float(now - origin) }
            let p = Int(requests[Int(r)].process)
            let done = serveOnLoop(p, arrival: now, service: db.pool.clientCPUPerQuery.sample(&serviceRNG))
            requests[Int(r)].phase = QueryPhase.start.rawValue
            requests[Int(r)].step += 1
            sim.schedule(at: done, kind: Kind.resume, entity: r)
            return false
        }
    }

    /// Opens a connection from an app pool: to PgBouncer (bounded by `max_client_conn`) or
    /// straight to the shard's primary (bounded by `max_connections`).
    mutating func openAppConnection(pool: Int, shard: Int) -> Bool {
        if model.database.pgbouncer.enabled {
            let perShard = plan.pgbouncerProcesses
            let b = shard * perShard + (pool + pools[pool].open) % perShard
            guard bouncers[b].clients < model.database.pgbouncer.maxClientConnections else {
                bouncers[b].refusedClients += 1
                return false
            }
            bouncers[b].clients += 1
            return true
        }
        return servers[shard].openBackend()
    }

    /// Returns the request's app pool connection; the next waiter (if any) gets it.
    mutating func releaseAppConnection(_ r: Int32, in sim: inout Simulator) {
        let pool = Int(requests[Int(r)].pool)
        guard pool >= 0 else { return }
        requests[Int(r)].pool = -1
        if let next = pools[pool].release(in: &sim) {
            if measuring { Self.record(pools[pool].lastWait, in: &poolWait) }
            requests[Int(next)].phase = QueryPhase.poolConnected.rawValue
            sim.schedule(at: sim.now, kind: Kind.resume, entity: next)
        }
    }

    mutating func databaseArrival(_ r: Int32, in sim: inout Simulator) {
        let s = Int(requests[Int(r)].server)
        if let f = primaryFailover, servers[s].role == .primary, f.contains(sim.now) {
            // The connection breaks; the client reconnects once the new primary takes over.
            sim.schedule(at: f.end + model.database.pool.connectTime.sample(&databaseRNG), kind: Kind.databaseArrival, entity: r)
            return
        }
        _ = servers[s].station.arrive(r, work: requests[Int(r)].queryCPU, in: &sim)
    }

    mutating func databaseCompletion(_ event: Event, in sim: inout Simulator) {
        guard let d = servers[Int(event.target)].station.complete(event, in: &sim) else { return }
        let r = d.customer
        if measuring {
            let delay = d.responseTime - requests[Int(r)].queryCPU
            if servers[Int(event.target)].role == .primary { Self.record(delay, in: &primaryDelay) } else { Self.record(delay, in: &replicaDelay) }
        }
        var back = model.database.postgres.networkRoundTrip / 2
        if requests[Int(r)].bouncer >= 0 { back += model.database.pgbouncer.hopLatency }
        requests[Int(r)].phase = QueryPhase.returned.rawValue
        sim.schedule(at: sim.now + back, kind: Kind.resume, entity: r)
    }

    // MARK: External services

    /// A call to Mailgun or the LLM: the provider's rate limit, its latency, its failures and
    /// the caller's timeout. The request (or job) waits; the event loop does not.
    mutating func callExternal(_ r: Int32, service s: Int, in sim: inout Simulator) {
        let now = sim.now
        let svc = model.externalServices[s]
        requests[Int(r)].step += 1
        if measuring { externals[s].calls += 1 }
        if let limit = svc.rateLimitPerSecond {
            if now - externals[s].windowStart >= 1 {
                externals[s].windowStart = now
                externals[s].windowCount = 0
            }
            externals[s].windowCount += 1
            if Double(externals[s].windowCount) > limit {
                if measuring { externals[s].rateLimited += 1 }
                fail(r, .upstream, at: now + model.redis.roundTrip.mean, in: &sim)
                return
            }
        }
        var latency = svc.latency.sample(&externalRNG)
        var failureProbability = svc.failureProbability
        if s == model.faults.degradedService, let d = degradation, d.contains(now) {
            latency *= model.faults.latencyMultiplier
            failureProbability = Swift.max(failureProbability, model.faults.degradedFailureProbability)
        }
        if measuring {
            externals[s].latency.record(Swift.min(latency, svc.timeout))
            if s == mailService { emailsSent += 1 }
            if s == llmService { llmCalls += 1 }
        }
        let done = now + Swift.min(latency, svc.timeout)
        if latency > svc.timeout {
            if measuring { externals[s].timeouts += 1 }
            fail(r, .timeout, at: done, in: &sim)
            return
        }
        if externalRNG.nextUniform() < failureProbability {
            if measuring { externals[s].failures += 1 }
            fail(r, .upstream, at: done, in: &sim)
            return
        }
        sim.schedule(at: done, kind: Kind.resume, entity: r)
    }

    // MARK: Jobs

    mutating func newJob(type: Int, user: Int32, at now: Double) -> Int32 {
        if measuring { jobEnqueued[type] += 1 }
        let job = Job(type: Int32(type), attempt: 1, user: user, created: now, queued: now)
        if let j = freeJobs.popLast() { jobs[Int(j)] = job; return j }
        jobs.append(job)
        return Int32(jobs.count - 1)
    }

    /// Starts waiting jobs on idle worker slots (the least busy worker process first).
    mutating func dispatchJobs(in sim: inout Simulator) {
        guard !workerActive.isEmpty else { return }
        // Workers fetch jobs from Redis: nothing moves while it is down (a `redisBack` event resumes).
        if let o = redisOutage, o.contains(sim.now) { return }
        let concurrency = model.workers.concurrency
        while !jobQueue.isEmpty {
            var best = 0
            for w in 1..<workerActive.count where workerActive[w] < workerActive[best] { best = w }
            guard workerActive[best] < concurrency, let j = jobQueue.popFirst() else { return }
            jobQueueLength.update(to: Double(jobQueue.count), at: sim.now)
            workerActive[best] += 1
            workerBusy.add(1, at: sim.now)
            if measuring { Self.record(sim.now - jobs[Int(j)].queued, in: &jobWait) }
            let r = newRequest()
            requests[Int(r)].isJob = true
            requests[Int(r)].path = jobs[Int(j)].type
            requests[Int(r)].job = j
            requests[Int(r)].user = jobs[Int(j)].user
            requests[Int(r)].process = Int32(workerBase + best)
            requests[Int(r)].arrival = sim.now
            requests[Int(r)].step = Stage.jobFetch
            advance(r, in: &sim)
        }
    }

    /// A job attempt ends: completion, retry with exponential backoff, or the dead-letter queue.
    mutating func finishJob(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        let j = Int(requests[Int(r)].job)
        let type = Int(jobs[j].type)
        _ = redisCall(scripts: 0, commands: model.workers.redisCommandsToComplete, at: now)
        workerActive[Int(requests[Int(r)].process) - workerBase] -= 1
        workerBusy.add(-1, at: now)
        let failed = requests[Int(r)].failure != 0
        freeRequests.append(r)
        if failed {
            if measuring { jobFailedAttempts[type] += 1 }
            let spec = model.jobs[type]
            if Int(jobs[j].attempt) < spec.maxAttempts {
                let delay = spec.backoffBase * Double(1 << Int(Swift.min(jobs[j].attempt - 1, 20)))
                jobs[j].attempt += 1
                sim.schedule(at: now + delay, kind: Kind.jobAvailable, entity: Int32(j))
            } else {
                // Counted against the window's enqueued jobs only if it was enqueued in the window.
                if measuring && jobs[j].created >= measureStart { jobDeadLettered[type] += 1 }
                freeJobs.append(Int32(j))
            }
        } else {
            if measuring {
                jobCompleted[type] += 1
                _ = jobLatency[type].record(Swift.max(1, UInt64(saturating: ((now - jobs[j].created) * 1e6).rounded())))
            }
            freeJobs.append(Int32(j))
        }
        dispatchJobs(in: &sim)
    }
}
