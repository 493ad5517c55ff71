import ArgumentParser
import Foundation
import IDGateAudit
import IDGateChip
import IDGateDemo
import IDGateWire

/// `idgate gen pki --out DIR`: a test CSCA, Document Signers (one revoked) and a CRL.
struct GenPKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki", abstract: "Generate a test chip-card PKI (CSCA, Document Signers, CRL).")

    @Option(help: "Output directory.")
    var out: String

    func run() throws {
        let pki = try TestPKI.generate(directory: URL(fileURLWithPath: out))
        print("CSCA: \(pki.csca.subject)")
        print("Document Signer: \(pki.documentSigner.subject), revoked: \(pki.revokedDocumentSigner.subject)")
        print("written to \(out)")
    }
}
