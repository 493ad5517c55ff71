import Foundation
import IDGateAudit
import IDGateCore
import IDGateMatching
import IDGateStore
import IDGateWire
import Logging

/// What the routes that answer about a subject (match, batch lines, the chip check's registry comparison) ask
/// before and tell after answering: is this client still allowed to ask about this subject, and did the answer
/// count as a failed guess. Also feeds the client's rate watch. A value held by each route.
struct SubjectGuard: Sendable {
    let limiter: SubjectAttemptLimiter
    let auditKey: AuditKey
    let defaultLimit: Int
    /// `guessing.enabled`: false only in benchmarks measuring the limiter's cost.
    let enabled: Bool
    let logger: Logger

    init(services: GatewayServices) {
        limiter = services.counters.limiter
        auditKey = services.auditKey
        defaultLimit = services.configuration.guessing.maxFailedAnswersPerSubject
        enabled = services.configuration.guessing.enabled
        logger = services.logger
    }

    /// The subject's keyed hash when the client's limit is on (nil: off, nothing to look up or count).
    func subjectKey(_ idNumber: IDNumber?, client: Client) -> SHA256Key? {
        guard enabled, let idNumber, limit(for: client) > 0 else { return nil }
        return auditKey.subjectKey(idNumber)
    }

    /// The keyed hash of a match request's subject: its ID number, or for a foreign resident `NAT:PASSPORT` (the
    /// audit's subject form, docs/AUDIT.md); nil when the client's limit is off.
    func subjectKey(of request: MatchRequest, client: Client) -> SHA256Key? {
        if let idNumber = request.idNumber { return subjectKey(idNumber, client: client) }
        guard enabled, let foreigner = request.foreignerSubject, limit(for: client) > 0 else { return nil }
        return SHA256Key(bytes: auditKey.subjectHash(foreigner))
    }

    /// 429 `subject_attempts_exceeded` (with the seconds until the window ends) when the client used up its failed
    /// answers about `subject`; nil when it may ask. The error names `field`, where the request gave the subject.
    func refusal(
        subject: SHA256Key, client: Client, now: Date, field: String = "idNumber"
    ) -> (error: WireError, retryAfter: Int)? {
        let pair = SubjectAttemptLimiter.Pair(subject: subject, clientID: client.id)
        guard let retryAfter = limiter.refusal(pair, limit: limit(for: client), now: now) else { return nil }
        return (
            WireError(
                .subjectAttemptsExceeded,
                message: "too many failed answers about this subject from this client; retry in \(retryAfter) s",
                field: field),
            retryAfter
        )
    }

    /// Counts an answer: a failed one against the pair (logged once, without personal data, when it uses up the
    /// limit), every one in the client's rate watch.
    func observe(_ decision: MatchDecision, subject: SHA256Key?, client: Client, now: Date) {
        if let subject, SubjectAttemptLimiter.counts(decision) {
            let limit = limit(for: client)
            let failures = limiter.recordFailure(SubjectAttemptLimiter.Pair(subject: subject, clientID: client.id), now: now)
            if failures == UInt32(clamping: limit) {
                // The keyed hash's prefix, as the audit records it: investigators can find the records, nobody
                // else learns the subject.
                logger.warning(
                    "guessing: a client used up its failed answers about one subject",
                    metadata: ["client": "\(client.id)", "subjectHash": "\(subject.hex.prefix(16))", "failures": "\(failures)"])
            }
        }
        switch client.guessingWatch.observe(AuditDecision(decision), configuration: client.guessing, now: now) {
        case .normal: break
        case .alertRaised(let rate, let suspendedUntil):
            logger.warning(
                "guessing: client's not_found/mismatch share is above its maxFailureRate",
                metadata: [
                    "client": "\(client.id)", "rate": "\(rate)",
                    "suspendedUntil": "\(suspendedUntil.map(AuditTime.format) ?? "-")",
                ])
        }
    }

    private func limit(for client: Client) -> Int { client.guessing.maxFailedAnswersPerSubject ?? defaultLimit }
}
