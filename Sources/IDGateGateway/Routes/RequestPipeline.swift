import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateStore
import IDGateWire
import NIOCore

/// The steps every API request shares, in order: overload shedding, authentication, rate limit and quota (here),
/// then the route's own work, then `finish`: sign, audit, answer.
extension GatewayContext {
    /// Admits a request for `operation` or answers it (503/401/403/429) and returns nil. On success the request counts
    /// as in flight until `finish` or `refuse` answers it.
    /// `started`/`now`: the request's arrival, read once by the route (each clock read costs; a request used seven).
    func admit(
        _ request: HTTPRequest, operation: ClientOperation, writer: ResponseWriter, loop: LoopContext,
        started: UInt64 = MonotonicClock.nanoseconds(), now: Date = Date()
    ) -> Client? {
        if inFlight.wrappingAdd(1, ordering: .relaxed).newValue > maxInFlight {
            refuse(
                WireError(.overloaded, message: "the gateway is at capacity; retry later"), client: nil,
                operation: operation, retryAfter: configuration.overload.retryAfterSeconds, started: started,
                writer: writer, loop: loop)
            return nil
        }
        let client: Client
        switch authenticate(request, loop: loop, now: now) {
        case .success(let found): client = found
        case .failure(let problem):
            refuse(problem, client: nil, operation: operation, started: started, writer: writer, loop: loop)
            return nil
        }
        guard client.operations.contains(operation) else {
            refuse(
                .forbidden("operation \(operation.rawValue) is not allowed for this client", field: operation.rawValue),
                client: client, operation: operation, started: started, writer: writer, loop: loop)
            return nil
        }
        if let problem = loop.rateLimiter.admit(client, monotonicNow: started, now: now) {
            refuse(problem, client: client, operation: operation, started: started, writer: writer, loop: loop)
            return nil
        }
        return client
    }

    /// API key (`Authorization: Bearer`) first, else the verified mTLS peer.
    func authenticate(_ request: HTTPRequest, loop: LoopContext, now: Date = Date()) -> Result<Client, PolicyError> {
        guard let authorization = request.headers.valueBytes("authorization") else {
            let fingerprint = request.peer.flatMap { Self.bytes(hex: $0.sha256Fingerprint) }
            return clients.authenticate(apiKey: nil, peerFingerprint: fingerprint, peerSubject: request.peer?.subject)
        }
        let result = authorization.withContiguousStorageIfAvailable { header -> Result<Client, PolicyError> in
            let bearer: StaticString = "bearer "
            let prefixLength = bearer.utf8CodeUnitCount
            guard header.count > prefixLength,
                (0..<prefixLength).allSatisfy({ header[$0] | 0x20 == bearer.utf8Start[$0] })
            else {
                return .failure(.unauthenticated("Authorization must be `Bearer <api-key>`"))
            }
            let key = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(header)[prefixLength...])
            return loop.apiKeys.authenticate(apiKey: key, registry: clients, now: now)
        }
        return result ?? .failure(.unauthenticated("Authorization must be `Bearer <api-key>`"))
    }

    /// Answers a refused request (policy or wire error) with the API.md error body, audited like any other.
    func refuse(
        _ problem: PolicyError, client: Client?, operation: ClientOperation, started: UInt64, writer: ResponseWriter,
        loop: LoopContext
    ) {
        refuse(
            WireError(policy: problem), client: client, operation: operation, retryAfter: problem.retryAfterSeconds,
            started: started, writer: writer, loop: loop)
    }

    func refuse(
        _ error: WireError, client: Client?, operation: ClientOperation, purpose: String? = nil,
        subject: String? = nil, attributes: AttributeSet = [], retryAfter: Int? = nil, started: UInt64,
        writer: ResponseWriter, loop: LoopContext
    ) {
        var body = ByteBuffer()
        body.reserveCapacity(160 + error.message.utf8.count)
        let transactionID = loop.nextTransactionID()
        error.encode(transactionID: transactionID, into: &body)
        finish(
            status: error.status, body: body, retryAfter: retryAfter, signed: false,
            audit: AuditRecord(
                clientID: client?.id ?? "-", purpose: purpose, operation: operation,
                transactionID: transactionID.description, subjectIDNumber: subject, attributes: attributes,
                decision: .none, status: UInt16(error.status), latencyMicros: 0),
            client: client, errorCode: error.code.rawValue, started: started, writer: writer, loop: loop)
    }

    /// Signs (200 answers, batched per loop tick), appends the audit record, and answers once the record is
    /// durable (or at once in async audit mode). If the audit log cannot take the record, the caller gets 503
    /// instead of an unaudited answer.
    func finish(
        status: Int, body: ByteBuffer, retryAfter: Int? = nil, signed: Bool, audit record: AuditRecord,
        client: Client?, errorCode: String? = nil, started: UInt64, writer: ResponseWriter, loop: LoopContext
    ) {
        body.withUnsafeReadableBytes { bytes in
            finish(
                status: status, body: bytes, retryAfter: retryAfter, signed: signed, audit: record, client: client,
                errorCode: errorCode, started: started, writer: writer, loop: loop)
        }
    }

    /// `finish` with the body's bytes (copied; valid only during the call): answers encoded in the loop's scratch
    /// memory reach the stream without a buffer allocated per answer.
    func finish(
        status: Int, body: UnsafeRawBufferPointer, retryAfter: Int? = nil, signed: Bool,
        audit record: consuming AuditRecord, client: Client?, errorCode: String? = nil, started: UInt64,
        writer: ResponseWriter, loop: LoopContext
    ) {
        let latencyMicros = UInt32(clamping: (MonotonicClock.nanoseconds() &- started) / 1000)
        record.latencyMicros = latencyMicros
        client?.metrics.record(decision: record.decision, errorCode: errorCode, latencyMicros: Int(latencyMicros))
        var headers: HTTPResponseHeaders = .json
        if let retryAfter { headers.add(name: "retry-after", value: String(retryAfter)) }
        guard loop.answers.isNeeded else {
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            writer.respond(status: HTTPStatus(status), headers: headers, bodyBytes: body)
            return
        }
        loop.answers.add(
            status: status, headers: headers, body: body, writer: writer, signed: signed, record: consume record)
    }

    /// Answers 503 instead of an answer whose audit record could not be written.
    func refuseUnaudited(_ record: AuditRecord, error: AuditError, writer: ResponseWriter) {
        var refusal = ByteBuffer()
        refusal.write("{\"transactionId\":")
        refusal.write(jsonString: record.transactionID)
        refusal.write(byte: UInt8(ascii: ","))
        WireError(.overloaded, message: "audit log unavailable (\(error)); request not answered")
            .writeMember(into: &refusal)
        refusal.write(byte: UInt8(ascii: "}"))
        writer.respond(
            status: .serviceUnavailable, headers: ["content-type": "application/json", "retry-after": "5"],
            body: refusal)
    }
}

extension GatewayContext {
    /// Lowercase or uppercase hex to bytes; nil if malformed.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x37
            case 0x61...0x66: c - 0x57
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

extension WireError {
    /// The wire form of a policy refusal (same codes, statuses and fields).
    init(policy: PolicyError) {
        self.init(Code(rawValue: policy.code) ?? .forbidden, message: policy.message, field: policy.field)
    }
}
