import Foundation
import IDGateAudit
import IDGateChip
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore

/// `POST /v1/chip/challenge` (a nonce for active authentication) and `POST /v1/chip/verify` (passive and active
/// authentication of a chip card's data groups, compared with the registry).
struct ChipRoutes: GatewayRoute {
    let configuration: GatewayConfiguration.ChipSettings
    let registry: RegistryHolder
    let engine: MatchEngine
    let chipVerifier: ChipVerifier
    let challenges: ChallengeStore
    let admission: Admission
    /// Failed registry comparisons per (client, subject), as for matches: a forged DG13 is an oracle too.
    let subjects: SubjectGuard
    /// Refusals and answers go through admission's `Answering` (the same in-flight count).
    var answering: Answering { admission.answering }

    init(services: GatewayServices) {
        configuration = services.configuration.chip
        registry = services.registry
        engine = services.engine
        chipVerifier = services.chipVerifier
        challenges = services.challenges
        admission = Admission(.chipVerify, services: services)
        subjects = SubjectGuard(services: services)
    }

    func register(on router: inout Router<LoopContext>) {
        router.on(.POST, "/v1/chip/challenge", admission: admission) { request, writer, loop in
            answerChallenge(request, writer, loop)
        }
        router.on(.POST, "/v1/chip/verify", contentType: "application/json", admission: admission) {
            request, writer, loop in
            answerChipVerify(request, writer, loop)
        }
    }

    private func answerChallenge(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        let transactionID = loop.nextTransactionID()
        let challenge: ChallengeStore.Challenge
        do {
            challenge = try challenges.issue()
        } catch {
            answering.refuse(
                WireError(.overloaded, message: "too many outstanding challenges"), client: client,
                operation: .chipVerify, retryAfter: 1, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let body = #"{"transactionId":"\#(transactionID)","challengeId":"\#(challenge.id)","challenge":"\#(challenge.hex)","expiresAt":"\#(AuditTime.format(challenge.expiresAt))"}"#
        // A challenge carries no personal data: it is sent without waiting for its record to be durable (the
        // record joins this tick's commit; the verification that consumes the challenge waits for its own).
        answering.finish(
            status: 200, body: ByteBuffer(string: body), signed: false,
            audit: AuditRecord(
                time: request.arrival.now, clientID: client.id, purpose: nil, operation: .chipVerify,
                transactionID: transactionID.description, subjectIDNumber: nil, attributes: [], decision: .none,
                status: 200, latencyMicros: 0),
            awaitsAudit: false, client: client, arrival: request.arrival, writer: writer, loop: loop)
    }

    private func answerChipVerify(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        let arrival = request.arrival
        let input: ChipVerifyRequest
        switch request.http.body.withUnsafeReadableBytes({ ChipVerifyRequest.parse($0, maxBytes: configuration.maxRequestBytes) }) {
        case .success(let parsed): input = parsed
        case .failure(let error):
            answering.refuse(error, client: client, operation: .chipVerify, arrival: arrival, writer: writer, loop: loop)
            return
        }
        // The registry comparison reports only the attributes this client may check.
        let compared = AttributeSet.chipComparable.intersection(client.attributes)
        if let problem = client.authorize(operation: .chipVerify, attributes: compared, purpose: input.purpose) {
            answering.refuse(problem, client: client, operation: .chipVerify, arrival: arrival, writer: writer, loop: loop)
            return
        }
        var activeAuth: ActiveAuthInput? = nil
        if let aa = input.activeAuth {
            switch challenges.consume(id: aa.challengeId) {
            case .success(let bytes): activeAuth = ActiveAuthInput(challenge: bytes, signature: aa.signature)
            case .failure(let problem):
                let message = problem == .expired ? "the challenge has expired" : "unknown or already used challenge"
                answering.refuse(
                    WireError(.invalidField, message: message, field: "activeAuth.challengeId"), client: client,
                    operation: .chipVerify, purpose: input.purpose, arrival: arrival, writer: writer, loop: loop)
                return
            }
        }
        let verification = chipVerifier.verify(sod: input.sod, dataGroups: input.dataGroups, activeAuth: activeAuth)
        // The registry comparison answers about the chip's subject: limited like a match.
        let subject = subjects.subjectKey(
            verification.personalData?.idNumber.flatMap(Self.idNumber), client: client)
        if let subject, let refusal = subjects.refusal(subject: subject, client: client, now: arrival.now) {
            answering.refuse(
                refusal.error, client: client, operation: .chipVerify, purpose: input.purpose,
                subject: verification.personalData?.idNumber, attributes: compared, retryAfter: refusal.retryAfter,
                arrival: arrival, writer: writer, loop: loop)
            return
        }
        let registryResult = compareWithRegistry(
            verification.personalData, attributes: compared, policy: client.reasonDecisions, today: arrival.today,
            loop: loop)
        if let registryResult {
            subjects.observe(registryResult.decision, subject: subject, client: client, now: arrival.now)
        }
        let transactionID = loop.nextTransactionID()
        let decision = chipDecision(verification, registry: registryResult, sodCoversDG15: input.sodCoversDG15(verification))
        var body = ByteBuffer()
        body.reserveCapacity(1024)
        body.write("{\"transactionId\":\"")
        transactionID.write(into: &body)
        body.write("\"")
        if let ref = input.ref {
            body.write(",\"ref\":")
            body.write(jsonString: ref)
        }
        body.write(",\"decision\":\"")
        body.write(decision ? "valid" : "invalid")
        body.write("\",\"passiveAuth\":")
        body.writeBytes(verification.passiveAuth.jsonBytes())
        body.write(",\"activeAuth\":")
        body.writeBytes(verification.activeAuth.jsonBytes())
        if let registryResult {
            body.write(",\"registry\":{")
            MatchResponseEncoder.writeVerdict(registryResult, into: &body)
            body.write("}")
        }
        body.write("}")
        answering.finish(
            status: 200, body: body, signed: true,
            audit: AuditRecord(
                time: arrival.now, clientID: client.id, purpose: input.purpose, operation: .chipVerify,
                transactionID: transactionID.description, subjectIDNumber: verification.personalData?.idNumber,
                attributes: compared, decision: decision ? .valid : .invalid, status: 200, latencyMicros: 0),
            client: client, arrival: arrival, writer: writer, loop: loop)
    }

    /// The chip's ID number when it is a valid one.
    private static func idNumber(_ text: String) -> IDNumber? {
        var text = text
        return text.withUTF8 { try? IDNumber.parse(UnsafeRawBufferPointer($0)).get() }
    }

    /// The chip's personal data (DG13, else DG1) compared with the registry record of its ID number.
    private func compareWithRegistry(
        _ data: ChipPersonalData?, attributes: AttributeSet, policy: ReasonDecisionPolicy, today: PartialDate,
        loop: LoopContext
    ) -> MatchResult? {
        guard let data, let reader = loop.reader(from: registry) else { return nil }
        var request = MatchRequest()
        func set(_ field: RequestField, _ value: String?) {
            guard let value, field.attribute.map(attributes.contains) ?? true else { return }
            var text = value
            _ = text.withUTF8 { request.set(field, utf8: UnsafeRawBufferPointer($0)) }
        }
        set(.idNumber, data.idNumber)
        set(.fullName, data.fullName)
        set(.dateOfBirth, data.dateOfBirth?.description)
        set(.sex, data.sex?.name)
        set(.placeOfOrigin, data.placeOfOrigin)
        set(.placeOfResidence, data.placeOfResidence)
        set(.cardIssueDate, data.cardIssueDate?.description)
        guard request.idNumber != nil, request.validate() == nil else { return nil }
        var engine = self.engine
        engine.policy = policy
        return engine.match(request, in: reader, today: today)
    }

    /// `valid` only when passive authentication is valid, active authentication (when the SOD covers DG15 and the
    /// configuration requires it) is valid, the card is valid in the registry and the record matches.
    private func chipDecision(_ verification: ChipVerificationResult, registry: MatchResult?, sodCoversDG15: Bool) -> Bool {
        guard verification.passiveAuth.result == .valid else { return false }
        if sodCoversDG15 && configuration.requireActiveAuth && verification.activeAuth.result != .valid {
            return false
        }
        guard let registry else { return false }
        return registry.cardStatus == .valid && registry.recordStatus == .active && registry.decision == .match
    }
}

extension AttributeSet {
    /// What a chip's DG13/DG1 can be compared on.
    static let chipComparable = AttributeSet([
        .idNumber, .fullName, .dateOfBirth, .sex, .placeOfOrigin, .placeOfResidence, .cardIssueDate,
    ])
}
