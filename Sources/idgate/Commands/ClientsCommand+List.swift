import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

extension ClientsCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients and their policy (never key material).")

        @OptionGroup var registry: FileOption

        func run() throws {
            let now = Date()
            for client in try registry.load().clients {
                let keys = client.credentials.apiKeys.map { key in
                    key.expiresAt.map { $0 <= now ? "\(key.keyId)(expired)" : "\(key.keyId)(until \(AuditTime.format($0)))" } ?? key.keyId
                }
                print("""
                    \(client.id)\t\(client.kind.rawValue)\t\(client.enabled ? "enabled" : "DISABLED")
                      operations: \(client.operations.map(\.rawValue).joined(separator: ","))
                      attributes: \(client.attributes.joined(separator: ","))
                      purposes:   \(client.purposes.isEmpty ? "(not required)" : client.purposes.joined(separator: ","))
                      rate:       \(client.rateLimit.requestsPerSecond)/s burst \(client.rateLimit.burst), daily quota \(client.dailyQuota.map(String.init) ?? "unlimited")
                      api keys:   \(keys.isEmpty ? "-" : keys.joined(separator: ", "))
                      certs:      \(client.credentials.certificateFingerprints.count) fingerprint(s), \(client.credentials.certificateSubjects.count) subject(s)
                    """)
            }
        }
    }
}
