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
    /// Chip cards generated for registry residents (a mix of valid, tampered, revoked-DS and no-AA cards).
    public static let defaultCardCount = 200

    public static func build(directory: URL, cardCount: Int = defaultCardCount, h2cPort: Int = 8080, tlsPort: Int = 8443) throws {
        let layout = DemoLayout(root: directory)
        let pki = try TestPKI.generate(directory: layout.pki)
        let store = try RegistryStore.open(directory: layout.registry.path)
        let residents = store.sample(count: cardCount).filter { $0.card != nil && $0.recordStatus == .active }
        _ = try TestCardFactory.makeCards(for: residents, pki: pki, into: directory)
        try DemoTLS.generate(layout: layout, clientIDs: DemoClients.certificateClientIDs)
        try DemoClients.write(layout: layout)
        // The keys config.json names, made now so every server started on this folder loads the same ones.
        _ = try ResponseSigner.loadOrGenerate(at: layout.signingKey)
        _ = try AuditKey.loadOrGenerate(at: layout.auditKey)
        try writeConfiguration(layout: layout, h2cPort: h2cPort, tlsPort: tlsPort)
    }

    /// `config.json` with paths relative to the demo folder.
    public static func writeConfiguration(layout: DemoLayout, h2cPort: Int, tlsPort: Int) throws {
        typealias Path = DemoLayout.Relative
        let json = """
            {
              "server": {
                "listeners": [
                  {"host": "127.0.0.1", "port": \(h2cPort)},
                  {"host": "127.0.0.1", "port": \(tlsPort),
                   "tls": {"certificateChainPath": "\(Path.serverCertificate)", "privateKeyPath": "\(Path.serverKey)",
                           "clientCAPath": "\(Path.tlsCA)", "clientAuth": "optional"}}
                ]
              },
              "registry": {"path": "\(Path.registry)", "reloadCheckInterval": 2},
              "chip": {"trust": ["\(Path.pki)/csca.pem", "\(Path.pki)/crl.pem"], "requireActiveAuth": true},
              "clients": {"file": "\(Path.clients)"},
              "audit": {"directory": "\(Path.audit)", "keyFile": "\(Path.auditKey)", "durability": "beforeResponse"},
              "signing": {"enabled": true, "keyFile": "\(Path.signingKey)"}
            }

            """
        try OwnerOnlyFiles.write(Array(json.utf8), toPath: layout.configuration.path)
    }
}
