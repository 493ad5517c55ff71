import IDGateHTTP2
import NIOCore

/// Drives one connection on its event loop: keeps it connected (reconnecting with back-off), sends requests
/// closed-loop (refill on every completion) or open-loop (on schedule), follows chip challenge → verify, records
/// every outcome exactly once, and finishes by its deadline whatever the target does.
///
/// A stream the target refuses unprocessed (REFUSED_STREAM: a node draining after GOAWAY, RFC 9113 §8.7) is sent
/// again on a new connection, up to `maximumRetries` times; a refused chip flow starts over with a new challenge,
/// since the challenge lives on the node that refused. The refusing connection takes no new streams and closes once
/// its in-flight streams end.
final class LoadWorker: H2ClientConnectionDelegate {
    private let index: Int
    private let eventLoop: any EventLoop
    private let clientConfiguration: H2ClientConfiguration
    private let plan: TrafficPlan
    private let recorder: LoadRecorder
    private let control: LoadRunControl
    private let schedule: OpenLoopSchedule?
    private let workerCount: Int
    private let timeoutNanos: UInt64
    private let finished: EventLoopPromise<Void>

    private var connection: H2ClientConnection?
    /// Connections that refused a stream: their in-flight streams finish, nothing new is sent on them.
    private var draining: [H2ClientConnection] = []
    /// Refused requests waiting for a connection that takes streams, each with its first attempt's start (its
    /// latency includes the refusal and the wait).
    private var refused: [(tag: LoadRequestTag, startNanos: UInt64)] = []
    private var connecting = false
    private var reconnectDelayNanos: UInt64 = 50_000_000
    private var nextConnectNanos: UInt64 = 0
    private var sequence: UInt64
    /// Open loop: the next schedule index this worker sends.
    private var nextScheduled: Int
    private var stopping = false
    private var stoppedAtNanos: UInt64 = 0
    private var abandoned = false
    private var lastExpiryCheckNanos: UInt64 = 0
    private var keepAlive: LoadWorker?

    private static let tickNanos: Int64 = 1_000_000
    /// HTTP/2 REFUSED_STREAM: the peer did not process the stream.
    private static let refusedStream: UInt32 = 0x7
    private static let maximumRetries = 3
    private static let expiryCheckNanos: UInt64 = 20_000_000

    init(
        index: Int, workerCount: Int, eventLoop: any EventLoop, clientConfiguration: H2ClientConfiguration,
        plan: TrafficPlan, recorder: LoadRecorder, control: LoadRunControl, schedule: OpenLoopSchedule?, timeoutNanos: UInt64
    ) {
        self.index = index
        self.workerCount = workerCount
        self.eventLoop = eventLoop
        self.clientConfiguration = clientConfiguration
        self.plan = plan
        self.recorder = recorder
        self.control = control
        self.schedule = schedule
        self.timeoutNanos = timeoutNanos
        sequence = UInt64(index) &* 1_000_003
        nextScheduled = index
        finished = eventLoop.makePromise()
    }

    /// Starts the worker; the future completes when it has stopped and closed its connection.
    func run() -> EventLoopFuture<Void> {
        keepAlive = self
        connect()
        tick()
        return finished.futureResult
    }

    // MARK: Connection

    private func connect() {
        guard !connecting, connection == nil, !stopping else { return }
        connecting = true
        H2ClientConnection.connect(clientConfiguration, on: eventLoop).assumeIsolated().whenComplete { [self] result in
            connecting = false
            switch result {
            case .success(let opened):
                guard !stopping else {
                    opened.close()
                    finishIfIdle()
                    return
                }
                opened.delegate = self
                connection = opened
                reconnectDelayNanos = 50_000_000
                recorder.recordConnectionOpened()
                fill(now: H2ClientClock.nowNanos())
            case .failure(let error):
                recorder.recordConnectError((error as? H2ClientTransportError) ?? .io(String(describing: error)))
                nextConnectNanos = H2ClientClock.nowNanos() + reconnectDelayNanos
                reconnectDelayNanos = Swift.min(reconnectDelayNanos * 2, 1_000_000_000)
                if stopping { finishIfIdle() }
            }
        }
    }

    func h2Client(_ connection: H2ClientConnection, didCloseWith error: H2ClientTransportError?) {
        if let index = draining.firstIndex(where: { $0 === connection }) {
            draining.remove(at: index)
            if stopping { finishIfIdle() }
            return
        }
        guard connection === self.connection else { return }
        self.connection = nil
        nextConnectNanos = H2ClientClock.nowNanos() + reconnectDelayNanos
        if stopping { finishIfIdle() }
    }

    // MARK: Pacing

    /// Runs every millisecond: open-loop sends, timeouts, reconnects, and the end of the run.
    private func tick() {
        guard keepAlive != nil else { return }
        let now = H2ClientClock.nowNanos()
        if !stopping && (now >= control.measureEndNanos || isDone || control.isStopRequested) { beginStopping(now: now) }
        if stopping {
            if now >= stoppedAtNanos + control.drainNanos || inFlight == 0 {
                abandonInFlight()
            }
            if now >= Swift.min(control.hardDeadlineNanos, stoppedAtNanos + control.drainNanos + 1_000_000_000) {
                finish()
                return
            }
        } else {
            if connection == nil && now >= nextConnectNanos { connect() }
            fill(now: now)
        }
        if now &- lastExpiryCheckNanos >= Self.expiryCheckNanos {
            lastExpiryCheckNanos = now
            connection?.expireStreams(startedBefore: now &- timeoutNanos)
            for old in draining { old.expireStreams(startedBefore: now &- timeoutNanos) }
        }
        eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Self.tickNanos)) { [self] in tick() }
    }

    /// Counted runs are done once the budget (closed loop) or the schedule (open loop) is used up and nothing flies.
    private var isDone: Bool {
        let scheduleDone = schedule.map { nextScheduled >= $0.total } ?? control.budgetSpent
        return scheduleDone && inFlight == 0 && refused.isEmpty
    }

    /// Streams in flight on every connection, the draining ones included.
    private var inFlight: Int {
        draining.reduce(connection?.inFlight ?? 0) { $0 + $1.inFlight }
    }

    /// Sends what is due: open loop, every scheduled request whose time has come (failing those that waited past
    /// their timeout without a connection or stream); closed loop, one request per free stream.
    private func fill(now: UInt64) {
        guard !stopping else { return }
        if let connection { resendRefused(on: connection) }
        if let schedule {
            while nextScheduled < schedule.total {
                let due = schedule.dueNanos(nextScheduled)
                guard due <= now else { break }
                let measured = due >= control.measureStartNanos
                if now &- due > timeoutNanos {
                    recorder.recordUnsent(1, measured: measured)
                } else {
                    guard let connection, connection.availableStreams > 0 else { break }
                    startOperation(on: connection, startNanos: due, measured: measured)
                }
                nextScheduled += workerCount
            }
        } else if let connection, now < control.measureEndNanos {
            var available = connection.availableStreams
            while available > 0 {
                let measured = now >= control.measureStartNanos
                guard !measured || control.claimMeasuredRequest() else { break }
                startOperation(on: connection, startNanos: H2ClientClock.nowNanos(), measured: measured)
                available -= 1
            }
        }
        connection?.flush()
    }

    private func startOperation(on connection: H2ClientConnection, startNanos: UInt64, measured: Bool) {
        let operation = plan.operation(for: sequence)
        let card = operation == .chip ? Int(sequence % UInt64(plan.chipCards.count)) : 0
        let tag = LoadRequestTag(operation: operation, measured: measured, card: card)
        if !submit(tag, on: connection, startNanos: startNanos) {
            recorder.recordTransportError(operation, .connectionClosed, measured: measured)
        }
    }

    /// Sends the first request of `tag`'s operation (a chip flow's challenge, or its verify for a card without
    /// Active Authentication); the template of a match or batch is the one of the current sequence.
    private func submit(_ tag: LoadRequestTag, on connection: H2ClientConnection, startNanos: UInt64) -> Bool {
        defer { sequence &+= 1 }
        var tag = tag
        switch tag.operation {
        case .match:
            return connection.submit(plan.matchTemplate(for: sequence), tag: tag.raw, startNanos: startNanos)
        case .batch:
            return connection.submit(plan.batchTemplate(for: sequence), tag: tag.raw, startNanos: startNanos)
        case .chip:
            if plan.chipCards[tag.card].activeAuthKey == nil {
                tag.step = .chipVerify
                return submitVerify(on: connection, tag: tag, activeAuth: nil, startNanos: startNanos)
            }
            tag.step = .chipChallenge
            return connection.submit(plan.chipChallenge!, tag: tag.raw, startNanos: startNanos)
        case .raw:
            return connection.submit(plan.rawTemplate!, tag: tag.raw, startNanos: startNanos)
        case .document, .organization:
            return connection.submit(plan.kindTemplates.template(tag.operation, for: sequence), tag: tag.raw, startNanos: startNanos)
        }
    }

    private func submitVerify(
        on connection: H2ClientConnection, tag: LoadRequestTag, activeAuth: (challengeId: String, signature: String)?,
        startNanos: UInt64
    ) -> Bool {
        let body = plan.chipCards[tag.card].verifyBody(activeAuth: activeAuth, purposeSuffix: plan.purposeSuffix)
        var tag = tag
        tag.step = .chipVerify
        return connection.submit(plan.chipVerify!, body: ByteBuffer(bytes: body), tag: tag.raw, startNanos: startNanos)
    }

    // MARK: Refused streams

    /// Queues a refused request for another connection; false when it may not be retried (stopping, or refused
    /// `maximumRetries` times already): then it is recorded as failed.
    private func retryRefused(_ tag: LoadRequestTag, startNanos: UInt64, by refusing: H2ClientConnection) -> Bool {
        guard !stopping, tag.retries < Self.maximumRetries else { return false }
        if refusing === connection {
            // The target is draining this connection (GOAWAY): let its streams finish, connect again now.
            draining.append(refusing)
            connection = nil
            nextConnectNanos = 0
            connect()
        }
        var retry = tag
        retry.retries += 1
        retry.step = .single
        refused.append((retry, startNanos))
        recorder.recordRefusedRetry()
        return true
    }

    /// Sends refused requests again, first come first, as far as `connection` has free streams.
    private func resendRefused(on connection: H2ClientConnection) {
        while !refused.isEmpty && connection.availableStreams > 0 {
            let (tag, startNanos) = refused.removeFirst()
            if !submit(tag, on: connection, startNanos: startNanos) {
                recorder.recordTransportError(tag.operation, .connectionClosed, measured: tag.measured)
            }
        }
    }

    // MARK: Completions

    func h2Client(_ connection: H2ClientConnection, didFinish response: H2ClientResponse) {
        let tag = LoadRequestTag(response.tag)
        if let error = response.error {
            if error != .streamReset(Self.refusedStream)
                || !retryRefused(tag, startNanos: response.startNanos, by: connection)
            {
                recorder.recordTransportError(tag.operation, error, measured: tag.measured)
            }
        } else if tag.step == .chipChallenge && response.status == 200 {
            continueChipFlow(on: connection, after: response, tag: tag)
        } else {
            recorder.recordResponse(
                tag.operation, status: response.status, body: response.body, latencyNanos: response.latencyNanos,
                measured: tag.measured)
        }
        if schedule == nil { fill(now: H2ClientClock.nowNanos()) }
    }

    /// Signs the challenge with the card's Active Authentication key and sends the verify request; the chip
    /// operation's latency runs from the challenge's start to the verify response.
    private func continueChipFlow(on connection: H2ClientConnection, after response: H2ClientResponse, tag: LoadRequestTag) {
        let card = plan.chipCards[tag.card]
        guard let challengeId = ResponseScanner.stringValue(of: "challengeId", in: response.body),
            let challenge = ResponseScanner.stringValue(of: "challenge", in: response.body),
            let signature = card.signChallenge(hex: challenge)
        else {
            recorder.recordResponse(.chip, status: 502, body: ByteBuffer(string: "{\"error\":{\"code\":\"client_bad_challenge\"}}"),
                latencyNanos: response.latencyNanos, measured: tag.measured)
            return
        }
        if !submitVerify(on: connection, tag: tag, activeAuth: (challengeId, signature), startNanos: response.startNanos) {
            recorder.recordTransportError(.chip, .connectionClosed, measured: tag.measured)
        }
    }

    // MARK: Ending

    private func beginStopping(now: UInt64) {
        fill(now: Swift.min(now, control.measureEndNanos &- 1))
        stopping = true
        stoppedAtNanos = now
        // Refused requests not yet sent again: failed as refused (each recorded once).
        for (tag, _) in refused {
            recorder.recordTransportError(tag.operation, .streamReset(Self.refusedStream), measured: tag.measured)
        }
        refused.removeAll()
        if let schedule {
            var unsentMeasured: UInt64 = 0
            var unsentWarmup: UInt64 = 0
            while nextScheduled < schedule.total && schedule.dueNanos(nextScheduled) < Swift.min(now, control.measureEndNanos) {
                if schedule.dueNanos(nextScheduled) >= control.measureStartNanos { unsentMeasured += 1 } else { unsentWarmup += 1 }
                nextScheduled += workerCount
            }
            if unsentMeasured > 0 { recorder.recordUnsent(unsentMeasured, measured: true) }
            if unsentWarmup > 0 { recorder.recordUnsent(unsentWarmup, measured: false) }
        }
        connection?.flush()
        finishIfIdle()
    }

    /// Cancels whatever is still in flight (reported as timeouts) and closes the connection.
    private func abandonInFlight() {
        let open = (connection.map { [$0] } ?? []) + draining
        guard !open.isEmpty else { return finishIfIdle() }
        guard !abandoned else { return }
        abandoned = true
        for each in open {
            each.expireStreams(startedBefore: .max)
            each.close()
        }
    }

    private func finishIfIdle() {
        if stopping && connection == nil && draining.isEmpty && !connecting { finish() }
    }

    private func finish() {
        guard keepAlive != nil else { return }
        keepAlive = nil
        connection?.close()
        for each in draining { each.close() }
        finished.succeed()
    }
}
