import SimulationEngine

extension PlatformSimulation {
    /// One transaction: app pool, then (for the primary, when enabled) a PgBouncer server
    /// connection and its CPU, the network, the server's cores, and back. A query always waits
    /// for something; the request resumes here phase by phase.
    mutating func queryStep(_ r: Int32, query qi: Int, in sim: inout Simulator) {
        let now = sim.now
        let p = hot.parameters
        switch requests[Int(r)].phase {
        case .start:
            let q = hot.queries[qi]
            let user = Int(requests[Int(r)].user)
            let shards = plan.shards
            let shard = user >= 0 ? users.shard(of: user, shards: shards) : databaseRNG.nextInt(below: shards)
            var server = shard
            if replicasPerShard > 0 && q.replicaEligible && !q.write {
                let recentWrite = user >= 0 && now - Double(lastWrite[user]) - origin < p.readYourWritesWindow
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
                requests[Int(r)].phase = .poolConnected
                queryStep(r, query: qi, in: &sim)
                return
            case .mustOpen:
                guard openAppConnection(pool: pool, shard: shard) else {
                    requests[Int(r)].pool = -1
                    fail(r, .connectionRefused, in: &sim)
                    return
                }
                pools[pool].opened(at: now)
                if measuring { Self.record(0, in: &poolWait) }
                requests[Int(r)].phase = .poolConnected
                let connect = hot.sample(p.pgbouncerEnabled ? p.connectTimeViaPgBouncer : p.connectTime, &databaseRNG)
                Self.schedule(.resume, at: now + connect, entity: r, in: &sim)
                return
            case .queued:
                return
            }
        case .poolConnected:
            let server = Int(requests[Int(r)].server)
            if p.pgbouncerEnabled && server < plan.shards {
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
                        return
                    }
                    bouncers[b].serverPool.opened(at: now)
                    requests[Int(r)].phase = .serverConnected
                    Self.schedule(.resume, at: now + hot.sample(p.connectTime, &databaseRNG), entity: r, in: &sim)
                    return
                case .queued:
                    return
                }
            }
            requests[Int(r)].phase = .serverConnected
            queryStep(r, query: qi, in: &sim)
        case .serverConnected:
            let q = hot.queries[qi]
            let server = Int(requests[Int(r)].server)
            let user = Int(requests[Int(r)].user)
            let weight = user >= 0 ? Double(users.weight[user]) : 1
            let page = Double(requests[Int(r)].pageLimit)
            let rows = hot.rows(q, userWeight: weight, page: page)
            var cpu = rows * q.cpuPerRow
            for _ in 0..<q.statements { cpu += hot.sample(q.statementCPU, &databaseRNG) }
            var io = rows * q.pagesPerRow * servers[server].missRatio * p.diskReadMean
            if q.write { io += hot.sample(p.walFlush, &databaseRNG) }
            requests[Int(r)].queryCPU = Swift.max(1e-7, cpu)
            let isList = !requests[Int(r)].isJob && hot.endpoints[Int(requests[Int(r)].path)].requestedLimit >= 0
            requests[Int(r)].rows = Float(isList ? Swift.min(page, q.rowsPerUser * weight) : 1)
            requests[Int(r)].lastRows = Float(rows)
            if measuring {
                servers[server].queries += 1
                servers[server].rowsRead += rows
                if q.write { servers[server].writes += 1 }
            }
            var t = now
            let b = Int(requests[Int(r)].bouncer)
            if b >= 0 {
                var bouncerCPU = 0.0
                for _ in 0..<q.statements { bouncerCPU += hot.sample(p.bouncerCPUPerStatement, &databaseRNG) }
                t = bouncers[b].thread.serve(arrival: now + p.bouncerHopLatency, service: bouncerCPU)
            }
            // Every round trip after the first (a statement each, BEGIN and COMMIT around a
            // multi-statement write) holds the connection for one more trip there and back.
            let trips = QueryModel.roundTrips(statements: Int(q.statements), write: q.write)
            if trips > 1 {
                io += Double(trips - 1) * (p.databaseRoundTrip + (b >= 0 ? 2 * p.bouncerHopLatency : 0))
            }
            requests[Int(r)].phase = .inDatabase
            Self.schedule(.databaseArrival, at: t + p.databaseRoundTrip / 2 + Swift.max(0, io), entity: r, in: &sim)
        case .inDatabase:
            preconditionFailure("a request in the database is resumed by its completion")
        case .returned:
            let b = Int(requests[Int(r)].bouncer)
            if b >= 0 {
                requests[Int(r)].bouncer = -1
                if let next = bouncers[b].serverPool.release(in: &sim) {
                    if measuring { Self.record(bouncers[b].serverPool.lastWait, in: &bouncerWait) }
                    requests[Int(next)].phase = .serverConnected
                    Self.schedule(.resume, at: now, entity: next, in: &sim)
                }
            }
            releaseAppConnection(r, in: &sim)
            let q = hot.queries[qi]
            let user = Int(requests[Int(r)].user)
            if q.write && user >= 0 { lastWrite[user] = Float(now - origin) }
            let process = Int(requests[Int(r)].process)
            // The client parses each statement's result: one segment of client CPU per statement.
            var clientCPU = 0.0
            for _ in 0..<Swift.max(1, Int(q.statements)) { clientCPU += hot.sample(p.clientCPUPerQuery, &serviceRNG) }
            let done = serveOnLoop(process, arrival: now, service: clientCPU)
            requests[Int(r)].phase = .start
            requests[Int(r)].step += 1
            Self.schedule(.resume, at: done, entity: r, in: &sim)
        }
    }

    /// Opens a connection from an app pool: to PgBouncer (bounded by `max_client_conn`) or
    /// straight to the shard's primary (bounded by `max_connections`).
    mutating func openAppConnection(pool: Int, shard: Int) -> Bool {
        if hot.parameters.pgbouncerEnabled {
            let perShard = plan.pgbouncerProcesses
            let b = shard * perShard + (pool + pools[pool].open) % perShard
            return bouncers[b].connectClient()
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
            requests[Int(next)].phase = .poolConnected
            Self.schedule(.resume, at: sim.now, entity: next, in: &sim)
        }
    }

    mutating func databaseArrival(_ r: Int32, in sim: inout Simulator) {
        let s = Int(requests[Int(r)].server)
        if let f = primaryFailover, servers[s].role == .primary, f.contains(sim.now) {
            // The connection breaks; the client reconnects once the new primary takes over.
            Self.schedule(.databaseArrival, at: f.end + hot.sample(hot.parameters.connectTime, &databaseRNG), entity: r, in: &sim)
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
        var back = hot.parameters.databaseRoundTrip / 2
        if requests[Int(r)].bouncer >= 0 { back += hot.parameters.bouncerHopLatency }
        requests[Int(r)].phase = .returned
        Self.schedule(.resume, at: sim.now + back, entity: r, in: &sim)
    }
}
