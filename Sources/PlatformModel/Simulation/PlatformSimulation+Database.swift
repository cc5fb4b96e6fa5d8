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
            requests[Int(r)].queryCPU = Swift.max(1e-7, cpu)
            let units = pageReadUnits(q, rows: rows, user: user, weight: weight, server: server, now: now)
            requests[Int(r)].readWork = Float(units * p.volumeLatency)
            // A write's WAL flush: one write I/O on the volume, or (negative) a measured flush's wait.
            requests[Int(r)].walWork = !q.write ? 0
                : p.walFlush >= 0 ? -Float(hot.sample(p.walFlush, &databaseRNG)) : Float(p.volumeUnitsPerPage * p.volumeLatency)
            let isList = !requests[Int(r)].isJob && hot.endpoints[Int(requests[Int(r)].path)].requestedLimit >= 0
            requests[Int(r)].rows = Float(isList ? Swift.min(page, q.rowsPerUser * weight) : 1)
            requests[Int(r)].lastRows = Float(rows)
            if measuring {
                servers[server].queries += 1
                servers[server].rowsRead += rows
                servers[server].heapFetches += rows * q.heapFetchShare
                if q.write { servers[server].writes += 1 }
            }
            // The statement wakes the server's cores when it finds them idle (PgBouncer's first
            // when it shares them): later, and at a CPU cost for each of its round trips (where
            // the first finds the cores idle, so do the rest, a network trip apart).
            let roundTrips = QueryModel.roundTrips(statements: Int(q.statements), write: q.write)
            requests[Int(r)].queryCPU += servers[server].wakeUpCost(p.databaseWakeUpCPU) * Double(roundTrips)
            let wakeUp = hostWakeUp(server: server, at: now)
            var t = now + wakeUp
            let b = Int(requests[Int(r)].bouncer)
            if b >= 0 {
                var bouncerCPU = 0.0
                for _ in 0..<q.statements { bouncerCPU += hot.sample(p.bouncerCPUPerStatement, &databaseRNG) }
                let arrival = now + wakeUp + p.bouncerHopLatency
                // Each round trip of a transaction that finds the thread idle wakes it (booked
                // at once, as the statements' CPU: where the first finds it idle, so do the rest).
                bouncerCPU += bouncers[b].thread.wakeUpCost(p.bouncerWakeUpCPU, at: arrival) * Double(roundTrips)
                if p.colocatedBouncer {
                    // On its shard primary's cores: slowed by the sharing there, and taking its share.
                    let host = Int(requests[Int(r)].server)
                    t = bouncers[b].thread.serve(arrival: arrival, service: bouncerCPU * colocatedSlowdown(server: host))
                    addColocatedWork(bouncerCPU, server: host, in: &sim)
                } else {
                    t = bouncers[b].thread.serve(arrival: arrival, service: bouncerCPU)
                }
            }
            // Every round trip after the first (a statement each, BEGIN and COMMIT around a
            // multi-statement write) holds the connection for one more trip there and back.
            var trips = 0.0
            if roundTrips > 1 {
                let trip = p.databaseRoundTrip + (b >= 0 ? 2 * p.bouncerHopLatency : 0)
                trips = Double(roundTrips - 1) * (trip + chainedWakeUps(trip: trip, curve: .database))
                // Where the app's loop reads each answer before sending the next statement, every
                // earlier answer waits for the loop too: taken as the loop's backlog when the
                // transaction starts (not booked on the loop, so no later arrival is reordered;
                // the statements' parsing CPU is booked with the last answer's, below).
                if p.answersReadOnEventLoop {
                    trips += Double(roundTrips - 1) * processes[Int(requests[Int(r)].process)].loop.backlog(at: now)
                }
            }
            requests[Int(r)].phase = .readingPages
            Self.schedule(.databaseArrival, at: t + p.databaseRoundTrip / 2 + trips, entity: r, in: &sim)
        case .readingPages, .inDatabase, .flushingWAL:
            preconditionFailure("a request in the database is resumed by its completion")
        case .answerRead:
            // The loop has run the answer's callback: only now does the connection go back.
            releaseAppConnection(r, in: &sim)
            endQuery(r, resumingAt: now, in: &sim)
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
            // Prisma 6's engine returns the connection when the answer arrives; node-pg's only
            // once the app's loop has read it (``ConnectionPoolModel/answersReadOnEventLoop``).
            if !p.answersReadOnEventLoop { releaseAppConnection(r, in: &sim) }
            let q = hot.queries[qi]
            let user = Int(requests[Int(r)].user)
            if q.write && user >= 0 {
                lastWrite[user] = Float(now - origin)
                // Every replica applies the write: the row's page comes into its memory.
                for c in 1..<bufferCaches.count { bufferCaches[c].touch(user: user, table: Int(q.table), now: now - origin) }
            }
            let process = Int(requests[Int(r)].process)
            // The client parses each statement's result: one segment of client CPU per statement.
            var clientCPU = 0.0
            for _ in 0..<Swift.max(1, Int(q.statements)) { clientCPU += hot.sample(p.clientCPUPerQuery, &serviceRNG) }
            let done = serveOnLoop(process, arrival: now, service: clientCPU)
            if p.answersReadOnEventLoop {
                requests[Int(r)].phase = .answerRead
                Self.schedule(.resume, at: done, entity: r, in: &sim)
            } else {
                endQuery(r, resumingAt: done, in: &sim)
            }
        }
    }

    /// The query step is over: the request goes on at its path's next step at `time`.
    @inline(__always)
    private mutating func endQuery(_ r: Int32, resumingAt time: Double, in sim: inout Simulator) {
        requests[Int(r)].phase = .start
        requests[Int(r)].step += 1
        Self.schedule(.resume, at: time, entity: r, in: &sim)
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

    /// I/O units of a query's page reads: the heap pages it touches that the server's buffer
    /// cache does not hold (a whole-table scan's pages are cold and read sequentially).
    mutating func pageReadUnits(_ q: CompiledPlatform.QueryInfo, rows: Double, user: Int, weight: Double, server: Int, now: Double) -> Double {
        guard q.pagesPerRow > 0 else { return 0 }
        let pages = rows * q.pagesPerRow
        let view = server < plan.shards ? 0 : 1 + (server - plan.shards) % Swift.max(1, replicasPerShard)
        let p = hot.parameters
        if q.scansTable {
            let missed = bufferCaches[view].coldRead(table: Int(q.table), pages: pages, measuring: measuring)
            return missed * (q.sequentialIO ? p.volumeUnitsPerSequentialPage : p.volumeUnitsPerPage)
        }
        if user < 0 {
            // A row with no user: an insert appends to a page in memory; a read finds a cold page.
            return q.write ? 0 : bufferCaches[view].coldRead(table: Int(q.table), pages: pages, measuring: measuring) * p.volumeUnitsPerPage
        }
        return bufferCaches[view].read(user: user, weight: weight, table: Int(q.table), pages: pages, now: now - origin,
                                       measuring: measuring) * p.volumeUnitsPerPage
    }

    /// The query reaches its server: its page reads go to the volume first (when it has any),
    /// then its CPU to the cores.
    mutating func databaseArrival(_ r: Int32, in sim: inout Simulator) {
        let s = Int(requests[Int(r)].server)
        if let f = primaryFailover, servers[s].role == .primary, f.contains(sim.now) {
            // The connection breaks; the client reconnects once the new primary takes over.
            Self.schedule(.databaseArrival, at: f.end + hot.sample(hot.parameters.connectTime, &databaseRNG), entity: r, in: &sim)
            return
        }
        let work = Double(requests[Int(r)].readWork)
        if work > 0 {
            requests[Int(r)].phase = .readingPages
            if measuring { volumes[s].readUnits += work / hot.parameters.volumeLatency }
            _ = volumes[s].reads.arrive(r, work: work, in: &sim)
        } else {
            requests[Int(r)].phase = .inDatabase
            _ = servers[s].station.arrive(r, work: requests[Int(r)].queryCPU, in: &sim)
        }
    }

    /// The cores finished the query: a write flushes its WAL to the volume, the rest go back.
    mutating func databaseCompletion(_ event: Event, in sim: inout Simulator) {
        let s = Int(event.target)
        guard let d = servers[s].station.complete(event, in: &sim) else { return }
        let r = d.customer
        guard r >= 0 else {
            // Co-located work finished: no request behind it.
            if measuring {
                servers[s].colocatedCompletions += 1
                servers[s].colocatedResponseSum += d.departureTime - d.arrivalTime
            }
            return
        }
        if measuring {
            let delay = d.responseTime - requests[Int(r)].queryCPU
            if servers[s].role == .primary { Self.record(delay, in: &primaryDelay) } else { Self.record(delay, in: &replicaDelay) }
        }
        let wal = Double(requests[Int(r)].walWork)
        if wal < 0 {
            // A measured flush (PostgresModel.walFlush): a wait, not the volume's.
            returnFromDatabase(r, at: sim.now - wal, in: &sim)
            return
        }
        if wal > 0 {
            requests[Int(r)].phase = .flushingWAL
            if measuring { volumes[s].writeUnits += wal / hot.parameters.volumeLatency }
            if volumes[s].writes != nil {
                _ = volumes[s].writes!.arrive(r, work: wal, in: &sim)
            } else {
                _ = volumes[s].reads.arrive(r, work: wal, in: &sim)
            }
            return
        }
        returnFromDatabase(r, at: sim.now, in: &sim)
    }

    /// A volume finished a request: page reads go on to the cores, a WAL flush ends the query.
    mutating func volumeCompletion(_ event: Event, in sim: inout Simulator) {
        let v = Int(event.target) >> 1
        let writeSide = Int(event.target) & 1 == 1
        let done: Departure?
        if writeSide { done = volumes[v].writes!.complete(event, in: &sim) } else { done = volumes[v].reads.complete(event, in: &sim) }
        guard let d = done else { return }
        let r = d.customer
        let reading = requests[Int(r)].phase == .readingPages
        if measuring {
            let unloaded = Double(reading ? requests[Int(r)].readWork : requests[Int(r)].walWork)
            let delay = Swift.max(0, d.responseTime - unloaded)
            Self.record(delay, in: &volumeDelay)
            if reading { volumes[v].readDelaySum += delay } else { volumes[v].writeDelaySum += delay }
        }
        if reading {
            requests[Int(r)].phase = .inDatabase
            _ = servers[v].station.arrive(r, work: requests[Int(r)].queryCPU, in: &sim)
        } else {
            returnFromDatabase(r, at: sim.now, in: &sim)
        }
    }

    /// The answer travels back to the app (through PgBouncer when it came that way).
    mutating func returnFromDatabase(_ r: Int32, at now: Double, in sim: inout Simulator) {
        var back = hot.parameters.databaseRoundTrip / 2
        if requests[Int(r)].bouncer >= 0 { back += hot.parameters.bouncerHopLatency }
        requests[Int(r)].phase = .returned
        Self.schedule(.resume, at: now + back, entity: r, in: &sim)
    }
}
