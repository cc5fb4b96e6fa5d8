import SimulationEngine

extension PlatformSimulation {
    /// An enqueue step: BullMQ adds the job in Redis (the request fails if Redis is down);
    /// the job joins the queue when the add returns, and the request goes on.
    mutating func enqueueJob(_ r: Int32, type: Int, at now: Double, in sim: inout Simulator) {
        if redisDown(now) {
            fail(r, .redisUnavailable, at: now + hot.parameters.redisFailureDelay, in: &sim)
            return
        }
        let done = redisCall(scripts: 0, commands: hot.parameters.redisCommandsToAdd, at: now, in: &sim)
        let job = jobs.create(type: type, user: requests[Int(r)].user, at: now, measuring: measuring)
        Self.schedule(.jobAvailable, at: done, entity: job, in: &sim)
        requests[Int(r)].step += 1
        Self.schedule(.resume, at: done, entity: r, in: &sim)
    }

    /// A fan-out step: one job per `rowsPerJob` rows the last query returned (a campaign's
    /// recipients in batches), added in one pipelined round trip (BullMQ's addBulk); they join
    /// the queue when it returns. Each job carries its batch's rows.
    mutating func fanOut(_ r: Int32, type: Int, rowsPerJob: Int, at now: Double, in sim: inout Simulator) {
        if redisDown(now) {
            fail(r, .redisUnavailable, at: now + hot.parameters.redisFailureDelay, in: &sim)
            return
        }
        let rows = Int(Swift.min(Self.maxFanOut, Swift.max(0, Double(requests[Int(r)].lastRows).rounded())))
        let count = (rows + rowsPerJob - 1) / rowsPerJob
        let done = redisCall(scripts: 0, commands: count * hot.parameters.redisCommandsToAdd, at: now, in: &sim)
        for i in 0..<count {
            let batch = Swift.min(rowsPerJob, rows - i * rowsPerJob)
            let job = jobs.create(type: type, user: requests[Int(r)].user, rows: Int32(batch), at: now, measuring: measuring)
            Self.schedule(.jobAvailable, at: done, entity: job, in: &sim)
        }
        requests[Int(r)].step += 1
        Self.schedule(.resume, at: done, entity: r, in: &sim)
    }

    /// The most rows one fan-out takes (a guard against a table of millions of rows per user:
    /// no real campaign tool sends that in one go).
    static let maxFanOut = 1_000_000.0

    /// Starts waiting jobs on idle worker slots (the least busy worker process first). Workers
    /// fetch jobs from Redis: nothing moves while it is down (a `redisBack` event resumes).
    mutating func dispatchJobs(in sim: inout Simulator) {
        guard jobs.hasWorkers else { return }
        if let o = redisOutage, o.contains(sim.now) { return }
        while let (j, worker) = jobs.assignNext(at: sim.now) {
            let job = jobs.jobs[Int(j)]
            if measuring { Self.record(sim.now - job.queued, in: &jobWait) }
            let r = newRequest()
            requests[Int(r)].isJob = true
            requests[Int(r)].path = job.type
            requests[Int(r)].job = j
            requests[Int(r)].user = job.user
            requests[Int(r)].units = Float(job.rows)
            requests[Int(r)].process = Int32(workerBase + worker)
            requests[Int(r)].arrival = sim.now
            requests[Int(r)].stage = .jobFetch
            advance(r, in: &sim)
        }
    }

    /// A job attempt ends: completion, retry with exponential backoff, or the dead-letter queue.
    mutating func finishJob(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        let j = requests[Int(r)].job
        let type = Int(jobs.jobs[Int(j)].type)
        _ = redisCall(scripts: 0, commands: hot.parameters.redisCommandsToComplete, at: now, in: &sim)
        let failed = requests[Int(r)].failure != 0
        let worker = Int(requests[Int(r)].process) - workerBase
        freeRequests.append(r)
        let next = jobs.finish(j, worker: worker, failed: failed, maxAttempts: hot.jobMaxAttempts[type], backoffBase: hot.jobBackoffBase[type],
                               at: now, measuring: measuring, measureStart: measureStart)
        if case .retry(let delay) = next { Self.schedule(.jobAvailable, at: now + delay, entity: j, in: &sim) }
        dispatchJobs(in: &sim)
    }
}
