import Foundation
import IDGateHTTP2
import NIOCore

extension GatewayContext {
    /// `POST /v1/chip/challenge` and `POST /v1/chip/verify`.
    func addChipRoutes(to router: inout Router) {
        router.on(.POST, "/v1/chip/challenge") { [challenges] _, writer in
            do {
                let challenge = try challenges.issue()
                let body = #"{"transactionId":"\#(TransactionIDs.next())","challengeId":"\#(challenge.id)","challenge":"\#(challenge.hex)","expiresAt":"\#(RFC3339.format(challenge.expiresAt))"}"#
                writer.respond(status: .ok, headers: .json, body: ByteBuffer(string: body))
            } catch {
                writer.respond(
                    status: .serviceUnavailable, headers: ["content-type": "application/json", "retry-after": "1"],
                    body: HTTPErrorBody.make(code: "overloaded", message: "too many outstanding challenges"))
            }
        }
    }
}

/// RFC 3339 timestamps in UTC with milliseconds.
enum RFC3339 {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
