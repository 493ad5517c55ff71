import Foundation
import IDGateGateway

/// The clients file (`clients.json`) as a fuzz target (Fuzz/Sources/FuzzClients; replayed by `make test`,
/// `FuzzCorpusReplayTests`): decoded, then validated as `idgate serve` and a reload would (key hashes, certificate
/// fingerprints, kinds, operations, purposes, limits). Every input must end in a thrown error or a valid file, never
/// a trap.
public enum ClientsFuzzTarget {
    /// How far an input got.
    public enum Outcome: Hashable, Sendable {
        /// `ClientRegistryFile.decode` refused it.
        case undecodable
        /// Decoded, refused by `validate()`.
        case invalid
        /// A file `idgate serve` would load.
        case valid
    }

    public static func run(_ input: UnsafeRawBufferPointer) -> Outcome {
        guard let file = try? ClientRegistryFile.decode(Data(input)) else { return .undecodable }
        return (try? file.validate()) == nil ? .invalid : .valid
    }

    /// libFuzzer's `LLVMFuzzerTestOneInput`: one input, always 0.
    public static func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
