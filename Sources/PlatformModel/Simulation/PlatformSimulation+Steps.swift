import SimulationEngine

extension PlatformSimulation {
    /// Runs the request's steps until one has to wait.
    mutating func advance(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        switch requests[Int(r)].stage {
        case .middlewareCPU:
            middlewareCPU(r, arrivingAt: now, in: &sim)
            return
        case .middlewareRedis:
            rateLimitAndSessionCheck(r, in: &sim)
            return
        case .jobFetch:
            let done = redisCall(scripts: 0, commands: hot.parameters.redisCommandsToFetch, at: now, in: &sim)
            requests[Int(r)].stage = .path
            requests[Int(r)].step = 0
            Self.schedule(.resume, at: done, entity: r, in: &sim)
            return
        case .path:
            break
        }
        let p = Int(requests[Int(r)].process)
        let path = Int(requests[Int(r)].path) + (requests[Int(r)].isJob ? endpointPathCount : 0)
        let base = Int(hot.pathStart[path])
        let stop = Int(hot.pathEnd[path])
        while true {
            let step = requests[Int(r)].step
            if base + Int(step) >= stop {
                finish(r, in: &sim)
                return
            }
            let s = hot.steps[base + Int(step)]
            switch s.kind {
            case .cpu:
                let cpu = hot.sample(s.distribution, &serviceRNG) + s.perRow * Double(requests[Int(r)].rows)
                let done = serveOnLoop(p, arrival: now, service: cpu)
                requests[Int(r)].step += 1
                Self.schedule(.resume, at: done, entity: r, in: &sim)
                return
            case .threadPool:
                let done = processes[p].threadPool.serve(arrival: now, service: hot.sample(s.distribution, &serviceRNG))
                requests[Int(r)].step += 1
                Self.schedule(.resume, at: done, entity: r, in: &sim)
                return
            case .redis:
                if redisDown(now) {
                    if hot.parameters.redisFailsClosed {
                        fail(r, .redisUnavailable, at: now + hot.parameters.redisFailureDelay, in: &sim)
                        return
                    }
                    requests[Int(r)].step += 1
                    Self.schedule(.resume, at: now + hot.parameters.redisFailureDelay, entity: r, in: &sim)
                    return
                }
                let done = redisCall(scripts: 0, commands: Int(s.argument), at: now, process: loopAwaiting(r), in: &sim)
                requests[Int(r)].step += 1
                Self.schedule(.resume, at: done, entity: r, in: &sim)
                return
            case .cacheLookup:
                if !cacheLookup(r, cache: Int(s.argument), hitStep: s.jump, at: now, in: &sim) { return }
            case .cacheFill:
                requests[Int(r)].step += 1
                if !cacheFill(r, cache: Int(s.argument), at: now, in: &sim) { return }
            case .cacheInvalidate:
                requests[Int(r)].step += 1
                if !cacheInvalidate(r, cache: Int(s.argument), at: now, in: &sim) { return }
            case .query:
                queryStep(r, query: Int(s.argument), in: &sim)
                return
            case .external:
                callExternal(r, service: Int(s.argument), in: &sim)
                return
            case .enqueue:
                enqueueJob(r, type: Int(s.argument), at: now, in: &sim)
                return
            case .fanOut:
                fanOut(r, type: Int(s.argument), rowsPerJob: Int(s.perRow), at: now, in: &sim)
                return
            }
        }
    }
}
