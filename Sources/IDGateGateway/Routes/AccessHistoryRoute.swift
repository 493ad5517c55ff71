import Foundation
import IDGateAudit
import IDGateCore
import IDGateFleet
import IDGateHTTP2
import IDGateStore
import IDGateWire
import NIOCore

/// `POST /v1/subjects/access-history` (JSON `{"idNumber", "cursor"?, "limit"?}`): who used a citizen's identity,
/// when, how and why, newest first, read from the audit log's subject index. Only citizen portals (clients of kind
/// `citizen-portal`, the app where the citizen is logged in) may ask; the read itself is audited like any use.
///
/// POST, so the ID number never sits in a URL or an access log. The subject is looked up by its keyed hash only, so
/// a number nobody asked about gets an empty history through the same path and shape: the endpoint says nothing about
/// who exists. An entry holds who, when, operation, purpose, which attributes and the decision; never a value.
///
/// On a fleet node (`services.fleetAudit`) the history is every node's records from PostgreSQL (docs/FLEET.md,
/// "Audit shipping"), once this node's own records up to the request have been shipped; cursors then carry a
/// time, node and sequence (`AuditFleetCursor`). The answer's shape is the same.
struct AccessHistoryRoute: GatewayRoute {
    let admission: Admission
    let audit: AuditLog?
    let clients: ClientRegistry
    let settings: GatewayConfiguration.AuditSettings
    let fleet: FleetAudit?
    let fleetCursor: AuditFleetCursor
    var answering: Answering { admission.answering }
    /// How long a fleet node waits for its own records to reach PostgreSQL before answering 503.
    static let shippingWait: Duration = .seconds(2)

    init(services: GatewayServices) {
        admission = Admission(.accessHistory, services: services)
        audit = services.audit
        clients = services.clients
        settings = services.configuration.audit
        fleet = services.fleetAudit
        fleetCursor = AuditFleetCursor(key: services.auditKey)
    }

    func register(on router: inout Router<LoopContext>) {
        router.on(.POST, "/v1/subjects/access-history", contentType: "application/json", admission: admission) {
            request, writer, loop in
            answer(request, writer, loop)
        }
    }

    /// A parsed request body.
    struct Query {
        var idNumber: IDNumber
        var cursor: String?
        var limit: Int
    }

    private func answer(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        guard client.kind == .citizenPortal else {
            answering.refuse(
                WireError(.forbidden, message: "only citizen-portal clients may read access histories"), client: client,
                operation: .accessHistory, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let parsed = request.http.body.withUnsafeReadableBytes {
            Self.parse($0, defaultLimit: settings.historyDefaultLimit, maxLimit: settings.historyMaxLimit)
        }
        let query: Query
        switch parsed {
        case .success(let value): query = value
        case .failure(let error):
            answering.refuse(error, client: client, operation: .accessHistory, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        if let fleet {
            answerFromFleet(query, fleet: fleet, request: request, writer: writer, loop: loop)
            return
        }
        guard let audit, let history = audit.history else {
            answering.refuse(
                WireError(.overloaded, message: "access histories are not available (subject index off)"), client: client,
                operation: .accessHistory, subject: query.idNumber.description, arrival: request.arrival, writer: writer,
                loop: loop)
            return
        }
        // Every use answered before this request shows: wait (off the loop) until the index holds the log's head.
        history.whenCurrent(through: audit.head.sequence) { ready in
            let eventLoop = writer.eventLoop
            if eventLoop.inEventLoop {
                respond(query, ready: ready, history: history, request: request, writer: writer, loop: loop)
            } else {
                eventLoop.execute {
                    respond(query, ready: ready, history: history, request: request, writer: writer, loop: loop)
                }
            }
        }
    }

    private func respond(
        _ query: Query, ready: Result<Void, AuditError>, history: AuditHistory, request: AdmittedRequest,
        writer: ResponseWriter, loop: LoopContext
    ) {
        let client = request.client
        let subject = query.idNumber.description
        let notBefore = request.arrival.now.addingTimeInterval(-Double(settings.historyWindowDays) * 86_400)
        let outcome: Result<AuditHistoryPage, AuditHistoryError>
        switch ready {
        case .success: outcome = history.page(idNumber: subject, cursor: query.cursor, limit: query.limit, notBefore: notBefore)
        case .failure(let error): outcome = .failure(.unavailable("\(error)"))
        }
        let page: AuditHistoryPage
        switch outcome {
        case .success(let found): page = found
        case .failure(.invalidCursor):
            answering.refuse(
                WireError(.invalidCursor, message: "cursor was not issued for this idNumber's history", field: "cursor"),
                client: client, operation: .accessHistory, subject: subject, arrival: request.arrival, writer: writer,
                loop: loop)
            return
        case .failure(.unavailable(let reason)):
            answering.refuse(
                WireError(.overloaded, message: "access history unavailable: \(reason)"), client: client,
                operation: .accessHistory, subject: subject, retryAfter: 1, arrival: request.arrival, writer: writer,
                loop: loop)
            return
        }
        finish(query, page: page, stored: [], request: request, writer: writer, loop: loop)
    }

    /// Reads the page from the fleet's PostgreSQL once this node's records up to now are there.
    private func answerFromFleet(
        _ query: Query, fleet: FleetAudit, request: AdmittedRequest, writer: ResponseWriter, loop: LoopContext
    ) {
        let client = request.client
        let subject = query.idNumber.description
        let subjectHash = fleetCursor.subjectHash(subject)
        var after: AuditHistoryPosition?
        if let cursor = query.cursor {
            guard let position = fleetCursor.decode(cursor, subjectHash: subjectHash) else {
                answering.refuse(
                    WireError(.invalidCursor, message: "cursor was not issued for this idNumber's history", field: "cursor"),
                    client: client, operation: .accessHistory, subject: subject, arrival: request.arrival, writer: writer,
                    loop: loop)
                return
            }
            after = position
        }
        let head = audit?.head.sequence ?? 0
        let notBefore = request.arrival.now.addingTimeInterval(-Double(settings.historyWindowDays) * 86_400)
        let limit = query.limit
        let eventLoop = writer.eventLoop
        let cursors = fleetCursor
        Task {
            var found: FleetHistoryPage?
            var reason = "this node's audit records have not reached the fleet's database yet"
            if await fleet.shipper.whenShipped(through: head, timeout: Self.shippingWait) {
                do {
                    found = try await fleet.history.page(subjectHash: subjectHash, after: after, notBefore: notBefore, limit: limit)
                } catch {
                    reason = "the fleet's audit database: \(error)"
                }
            }
            let outcome: Result<FleetHistoryPage, FleetHistoryUnavailable> = found.map { .success($0) } ?? .failure(FleetHistoryUnavailable(reason: reason))
            eventLoop.execute {
                switch outcome {
                case .success(let found):
                    let page = AuditHistoryPage(
                        entries: found.entries.map(\.entry),
                        cursor: found.next.map { cursors.encode($0, subjectHash: subjectHash) })
                    finish(
                        query, page: page, stored: found.entries.map { ($0.clientName, $0.clientKind) }, request: request,
                        writer: writer, loop: loop)
                case .failure(let error):
                    answering.refuse(
                        WireError(.overloaded, message: "access history unavailable: \(error.reason)"), client: client,
                        operation: .accessHistory, subject: subject, retryAfter: 1, arrival: request.arrival,
                        writer: writer, loop: loop)
                }
            }
        }
    }

    /// Answers with `page` and audits the read. `stored`: per entry, the client name and kind the record was
    /// shipped with (fleet), used when the client is no longer in the registry.
    private func finish(
        _ query: Query, page: AuditHistoryPage, stored: [(name: String?, kind: String?)], request: AdmittedRequest,
        writer: ResponseWriter, loop: LoopContext
    ) {
        let client = request.client
        let transactionID = loop.nextTransactionID()
        var body = ByteBuffer()
        body.reserveCapacity(64 + page.entries.count * 320)
        encode(page, stored: stored, transactionID: transactionID, into: &body)
        answering.finish(
            status: 200, body: body, signed: true,
            audit: AuditRecord(
                time: request.arrival.now, clientID: client.id, purpose: nil, operation: .accessHistory,
                transaction: transactionID, subject: query.idNumber, attributes: [], decision: .none, status: 200,
                latencyMicros: 0),
            client: client, arrival: request.arrival, writer: writer, loop: loop)
    }

    /// `{"transactionId","entries":[…],"cursor"}`: names and kinds from the current client registry (a client
    /// removed since shows by its id, kind `unknown`).
    private func encode(
        _ page: AuditHistoryPage, stored: [(name: String?, kind: String?)], transactionID: TransactionID,
        into body: inout ByteBuffer
    ) {
        let snapshot = clients.snapshot
        var text: [UInt8] = []
        text.write("{\"transactionId\":")
        text.write(jsonString: transactionID.description)
        text.write(",\"entries\":[")
        for (index, entry) in page.entries.enumerated() {
            let known = snapshot.clients[entry.clientID]
            let shipped = index < stored.count ? stored[index] : (name: nil, kind: nil)
            if index > 0 { text.write(byte: UInt8(ascii: ",")) }
            text.write("{\"at\":")
            text.write(jsonString: AuditTime.format(entry.time))
            text.write(",\"client\":")
            text.write(jsonString: entry.clientID)
            text.write(",\"clientName\":")
            text.write(jsonString: known?.name ?? shipped.name ?? entry.clientID)
            text.write(",\"clientKind\":")
            text.write(jsonString: known?.kind.rawValue ?? shipped.kind ?? "unknown")
            text.write(",\"operation\":")
            text.write(jsonString: entry.operation?.rawValue ?? "unknown")
            text.write(",\"purpose\":")
            if let purpose = entry.purpose { text.write(jsonString: purpose) } else { text.write("null") }
            text.write(",\"attributes\":[")
            for (position, attribute) in entry.attributes.attributes.enumerated() {
                if position > 0 { text.write(byte: UInt8(ascii: ",")) }
                text.write(jsonString: attribute.wireName)
            }
            text.write("],\"decision\":")
            text.write(jsonString: Self.decisionName(entry))
            text.write(",\"transactionId\":")
            text.write(jsonString: entry.transactionID)
            text.write("}")
        }
        text.write("],\"cursor\":")
        if let cursor = page.cursor { text.write(jsonString: cursor) } else { text.write("null") }
        text.write("}")
        body.writeBytes(text)
    }

    /// The decision as the citizen reads it: a refused request (no decision, an error status) is `refused`.
    static func decisionName(_ entry: AuditEntry) -> String {
        guard let decision = entry.decision else { return "unknown" }
        if decision == .none { return entry.status >= 400 ? "refused" : "none" }
        return decision.name
    }

    /// Reads the body: unknown fields refused, `idNumber` 12 digits with a known province, `cursor` a string,
    /// `limit` an integer in 1...maxLimit.
    static func parse(_ body: UnsafeRawBufferPointer, defaultLimit: Int, maxLimit: Int) -> Result<Query, WireError> {
        guard body.count <= 4096 else {
            return .failure(WireError(.bodyTooLarge, message: "access-history bodies are limited to 4096 bytes"))
        }
        let document: JSONValue
        switch JSONValue.parse(body) {
        case .success(let value): document = value
        case .failure(let error): return .failure(error)
        }
        guard case .object(let members) = document else {
            return .failure(WireError(.invalidJSON, message: "the body must be a JSON object"))
        }
        let fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        if let unknown = fields.keys.sorted().first(where: { !["idNumber", "cursor", "limit"].contains($0) }) {
            return .failure(WireError(.unknownField, message: "unknown field \(unknown)", field: unknown))
        }
        guard let idValue = fields["idNumber"] else {
            return .failure(WireError(.missingField, message: "idNumber is required", field: "idNumber"))
        }
        guard case .string(let idText) = idValue, let idNumber = IDNumber(idText) else {
            return .failure(WireError(
                .invalidField, message: "idNumber must be 12 digits starting with a province code", field: "idNumber"))
        }
        var cursor: String? = nil
        switch fields["cursor"] {
        case nil, .null?: break
        case .string(let text)?: cursor = text
        default: return .failure(WireError(.invalidField, message: "cursor must be a string", field: "cursor"))
        }
        var limit = defaultLimit
        switch fields["limit"] {
        case nil, .null?: break
        case .number(let text)?:
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                return .failure(WireError(
                    .invalidField, message: "limit must be an integer from 1 to \(maxLimit)", field: "limit"))
            }
            limit = value
        default:
            return .failure(WireError(.invalidField, message: "limit must be an integer from 1 to \(maxLimit)", field: "limit"))
        }
        return .success(Query(idNumber: idNumber, cursor: cursor, limit: limit))
    }
}

/// Why a fleet node could not read a history from PostgreSQL (answered 503 with a retry).
struct FleetHistoryUnavailable: Error {
    var reason: String
}
