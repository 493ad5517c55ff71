import IDGateCore
import Foundation
import IDGateAudit
import IDGateChip
import IDGateGateway
import IDGateStore

/// Everything `idgate demo init` adds after the registry (`RegistryDemo`): test PKI and chip cards for sample
/// residents, TLS material, demo clients with their credentials, and `config.json` for `idgate serve --demo DIR`.
/// The folder layout is documented in docs/DATA.md.
public enum GatewayDemo {
    public static let configFile = "config.json"
    /// Chip cards generated for registry residents (a mix of valid, tampered, revoked-DS and no-AA cards).
    public static let defaultCardCount = 200

    public static func build(directory: URL, cardCount: Int = defaultCardCount, h2cPort: Int = 8080, tlsPort: Int = 8443) throws {
        let pki = try TestPKI.generate(directory: directory.appendingPathComponent("pki"))
        let store = try RegistryStore.open(directory: directory.appendingPathComponent(RegistryDemo.registryFolder).path)
        let residents = store.sample(count: cardCount).filter { $0.card != nil && $0.recordStatus == .active }
        _ = try TestCardFactory.makeCards(for: residents, pki: pki, into: directory)
        try DemoTLS.generate(directory: directory, clientIDs: DemoClients.certificateClientIDs)
        try DemoClients.write(directory: directory, tlsDirectory: directory.appendingPathComponent(DemoTLS.folder))
        // The keys config.json names, made now so every server started on this folder loads the same ones.
        _ = try ResponseSigner.loadOrGenerate(at: directory.appendingPathComponent("signing.key"))
        _ = try AuditKey.loadOrGenerate(at: directory.appendingPathComponent("audit.key"))
        try writeConfiguration(directory: directory, h2cPort: h2cPort, tlsPort: tlsPort)
    }

    /// `config.json` with paths relative to the demo folder.
    public static func writeConfiguration(directory: URL, h2cPort: Int, tlsPort: Int) throws {
        let json = """
            {
              "server": {
                "listeners": [
                  {"host": "127.0.0.1", "port": \(h2cPort)},
                  {"host": "127.0.0.1", "port": \(tlsPort),
                   "tls": {"certificateChainPath": "tls/server.pem", "privateKeyPath": "tls/server.key.pem",
                           "clientCAPath": "tls/ca.pem", "clientAuth": "optional"}}
                ]
              },
              "registry": {"path": "registry", "reloadCheckInterval": 2},
              "chip": {"trust": ["pki/csca.pem", "pki/crl.pem"], "requireActiveAuth": true},
              "clients": {"file": "clients.json"},
              "audit": {"directory": "audit", "keyFile": "audit.key", "durability": "beforeResponse"},
              "signing": {"enabled": true, "keyFile": "signing.key"}
            }

            """
        try json.write(to: directory.appendingPathComponent(configFile), atomically: true, encoding: .utf8)
    }
}
