import NIOCore

/// Collects the answers one event loop produces in one tick and signs them together with one Ed25519 signature
/// (`BatchResponseSigner`), then hands each its `x-idgate-signature` value.
///
/// The first answer of a tick schedules the signing as a task on the loop, which runs after the tick's reads have
/// been processed: every answer of the read burst shares the signature, and none waits for a later tick.
/// Not Sendable: one per event loop, used only on it.
final class SigningBatch {
    private let signer: BatchResponseSigner
    private var bodies: [ByteBuffer] = []
    private var completions: [(String) -> Void] = []
    private var scheduled = false

    init(signer: BatchResponseSigner) { self.signer = signer }

    func add(_ body: ByteBuffer, on eventLoop: any EventLoop, _ completion: @escaping (String) -> Void) {
        bodies.append(body)
        completions.append(completion)
        guard !scheduled else { return }
        scheduled = true
        let unsafeSelf = UnsafeTransfer(self)
        eventLoop.execute { unsafeSelf.value.signPending() }
    }

    private func signPending() {
        scheduled = false
        let bodies = self.bodies
        let completions = self.completions
        self.bodies.removeAll(keepingCapacity: true)
        self.completions.removeAll(keepingCapacity: true)
        let leaves = bodies.map { body in body.withUnsafeReadableBytes { MerkleHash.leaf($0) } }
        let headers = signer.headerValues(leaves: leaves)
        for (completion, header) in zip(completions, headers) { completion(header) }
    }
}

/// Moves a loop-confined value into a task that runs on the same loop.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
