import IDGateHTTP2
import NIOCore

/// Drives one connection on its event loop: keeps it connected (reconnecting with back-off), sends requests
/// closed-loop (refill on every completion) or open-loop (on schedule), follows chip challenge → verify, records
/// every outcome exactly once, and finishes by its deadline whatever the target does.
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
            if now >= stoppedAtNanos + control.drainNanos || connection?.inFlight ?? 0 == 0 {
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
        if now &- lastExpiryCheckNanos >= Self.expiryCheckNanos, let connection {
            lastExpiryCheckNanos = now
            connection.expireStreams(startedBefore: now &- timeoutNanos)
        }
        eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Self.tickNanos)) { [self] in tick() }
    }

    /// Counted runs are done once the budget (closed loop) or the schedule (open loop) is used up and nothing flies.
    private var isDone: Bool {
        let scheduleDone = schedule.map { nextScheduled >= $0.total } ?? control.budgetSpent
        return scheduleDone && (connection?.inFlight ?? 0) == 0
    }

    /// Sends what is due: open loop, every scheduled request whose time has come (failing those that waited past
    /// their timeout without a connection or stream); closed loop, one request per free stream.
    private func fill(now: UInt64) {
        guard !stopping else { return }
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
        defer { sequence &+= 1 }
        let submitted: Bool
        switch operation {
        case .match:
            submitted = connection.submit(
                plan.matchTemplate(for: sequence), tag: LoadRequestTag(operation: .match, measured: measured).raw,
                startNanos: startNanos)
        case .batch:
            submitted = connection.submit(
                plan.batchTemplate(for: sequence), tag: LoadRequestTag(operation: .batch, measured: measured).raw,
                startNanos: startNanos)
        case .chip:
            let card = Int(sequence % UInt64(plan.chipCards.count))
            if plan.chipCards[card].activeAuthKey == nil {
                submitted = submitVerify(on: connection, card: card, activeAuth: nil, startNanos: startNanos, measured: measured)
            } else {
                submitted = connection.submit(
                    plan.chipChallenge!, tag: LoadRequestTag(operation: .chip, step: .chipChallenge, measured: measured, card: card).raw,
                    startNanos: startNanos)
            }
        case .raw:
            submitted = connection.submit(
                plan.rawTemplate!, tag: LoadRequestTag(operation: .raw, measured: measured).raw, startNanos: startNanos)
        case .document, .organization:
            submitted = connection.submit(
                plan.kindTemplates.template(operation, for: sequence),
                tag: LoadRequestTag(operation: operation, measured: measured).raw, startNanos: startNanos)
        }
        if !submitted { recorder.recordTransportError(operation, .connectionClosed, measured: measured) }
    }

    private func submitVerify(
        on connection: H2ClientConnection, card: Int, activeAuth: (challengeId: String, signature: String)?,
        startNanos: UInt64, measured: Bool
    ) -> Bool {
        let body = plan.chipCards[card].verifyBody(activeAuth: activeAuth, purposeSuffix: plan.purposeSuffix)
        return connection.submit(
            plan.chipVerify!, body: ByteBuffer(bytes: body),
            tag: LoadRequestTag(operation: .chip, step: .chipVerify, measured: measured, card: card).raw, startNanos: startNanos)
    }

    // MARK: Completions

    func h2Client(_ connection: H2ClientConnection, didFinish response: H2ClientResponse) {
        let tag = LoadRequestTag(response.tag)
        if let error = response.error {
            recorder.recordTransportError(tag.operation, error, measured: tag.measured)
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
        if !submitVerify(on: connection, card: tag.card, activeAuth: (challengeId, signature), startNanos: response.startNanos, measured: tag.measured) {
            recorder.recordTransportError(.chip, .connectionClosed, measured: tag.measured)
        }
    }

    // MARK: Ending

    private func beginStopping(now: UInt64) {
        fill(now: Swift.min(now, control.measureEndNanos &- 1))
        stopping = true
        stoppedAtNanos = now
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
        guard let connection else { return finishIfIdle() }
        guard !abandoned else { return }
        abandoned = true
        connection.expireStreams(startedBefore: .max)
        connection.close()
    }

    private func finishIfIdle() {
        if stopping && connection == nil && !connecting { finish() }
    }

    private func finish() {
        guard keepAlive != nil else { return }
        keepAlive = nil
        connection?.close()
        finished.succeed()
    }
}
