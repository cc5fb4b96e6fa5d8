import Histogram
import SimulationEngine

extension PlatformSimulation {
    /// Ends the request at `time` with an error (its remaining steps are skipped).
    mutating func fail(_ r: Int32, _ failure: ErrorKind, at time: Double? = nil, in sim: inout Simulator) {
        requests[Int(r)].failure = failure.rawValue
        requests[Int(r)].stage = .path
        requests[Int(r)].step = Int16(pathLength(r))
        if let t = time, t > sim.now {
            Self.schedule(.resume, at: t, entity: r, in: &sim)
        } else {
            finish(r, in: &sim)
        }
    }

    /// The size of an error response (a short JSON body and headers).
    static let errorResponseBytes = 300.0

    @inline(__always)
    func pathLength(_ r: Int32) -> Int {
        let path = Int(requests[Int(r)].path) + (requests[Int(r)].isJob ? endpointPathCount : 0)
        return Int(hot.pathEnd[path] - hot.pathStart[path])
    }

    /// The response leaves (or the job ends): statistics, in-flight count, client retries.
    mutating func finish(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        if requests[Int(r)].fillKey >= 0 { releaseFillWaiters(r, filled: false, in: &sim) }
        if requests[Int(r)].isJob { finishJob(r, in: &sim); return }
        let e = Int(requests[Int(r)].path)
        var failure = ErrorKind(rawValue: requests[Int(r)].failure)
        var latency = now - requests[Int(r)].arrival
        let timeout = hot.parameters.requestTimeout
        if latency > timeout {
            // The proxy gave up at the timeout; the server finished the work anyway.
            failure = failure ?? .timeout
            latency = timeout
        }
        // As the client sees it: its round trips to the edge or the origin and the transfer.
        let endpoint = hot.endpoints[e]
        if endpoint.clientFacing {
            let viaEdge = endpoint.cdnCacheable || hot.parameters.proxiedByEdge
            let bytes = failure == nil ? endpoint.responseBytes : Self.errorResponseBytes
            latency += network.time(user: requests[Int(r)].user, ip: requests[Int(r)].ip, bytes: bytes,
                                    path: viaEdge ? .viaEdge : .origin, newConnection: requests[Int(r)].newConnection)
            // A load generator on the database's host measures the latency there.
            if hot.parameters.loadGeneratorCPU >= 0 { latency += loadGeneratorReceives(at: now, in: &sim) }
        }
        let p = Int(requests[Int(r)].process)
        if p >= 0 { processes[p].release(at: now, responseTime: now - requests[Int(r)].arrival, measuring: measuring) }
        if measuring && failure == nil { originEgressBytes += hot.endpoints[e].responseBytes }
        record(endpoint: e, latency: latency, failure: failure, at: now)
        if requestLog != nil, requests[Int(r)].logIndex >= 0 { requestLog!.finish(requests[Int(r)].logIndex, latency: latency, error: failure) }
        if let failure { retry(r, after: failure, at: now, in: &sim) }
        freeRequests.append(r)
    }

    /// The client tries again after a failure, as the model's retry policy says: a fixed delay,
    /// exponential backoff (with jitter), or a 429's Retry-After when clients honour it.
    mutating func retry(_ r: Int32, after failure: ErrorKind, at now: Double, in sim: inout Simulator) {
        let retries = hot.parameters.retries
        let attempt = requests[Int(r)].attempt
        guard Int(attempt) < retries.maxRetries else { return }
        var delay: Double
        switch retries.backoff {
        case .none: delay = retries.baseDelay
        case .exponential: delay = retries.baseDelay * Double(1 << Int(Swift.min(attempt, 20)))
        case .exponentialJitter: delay = retries.baseDelay * Double(1 << Int(Swift.min(attempt, 20))) * retryRNG.nextUniform()
        }
        if retries.honourRetryAfter && failure.isRateLimit {
            delay = Swift.max(delay, requests[Int(r)].retryAfter)
        }
        guard now + delay <= end else { return }
        let again = newRequest()
        requests[Int(again)].path = requests[Int(r)].path
        requests[Int(again)].user = requests[Int(r)].user
        requests[Int(again)].ip = requests[Int(r)].ip
        requests[Int(again)].pageLimit = requests[Int(r)].pageLimit
        requests[Int(again)].attempt = attempt + 1
        Self.schedule(.clientRetry, at: now + delay, entity: again, in: &sim)
    }

    /// Counts a response (in the time series always, in the window's figures once measuring).
    mutating func record(endpoint e: Int, latency seconds: Double, failure: ErrorKind?, at now: Double) {
        let micros = Swift.max(1, UInt64(saturating: (seconds * 1e6).rounded()))
        // The time series runs through the warm-up too (to check it is long enough). The
        // window's latency over all endpoints is their histograms added at the end
        // (`windowLatency()`): the same counts, one record per response fewer. All are added
        // in batches (PlatformSimulation+LatencyBatch.swift).
        bufferLatency(micros, endpoint: measuring ? e : -1)
        tickCompleted += 1
        if failure != nil { tickErrors += 1 }
        guard measuring else { return }
        completedRequests += 1
        endpointCount[e] += 1
        guard let failure else { return }
        endpointErrors[e] += 1
        errors[failure] += 1
    }
}
