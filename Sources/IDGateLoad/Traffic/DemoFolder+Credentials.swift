/// Choosing how the load generator authenticates from a demo folder's `credentials.json`.
extension DemoFolder {
    /// The client named `id`, or else the first client that can authenticate over this transport (an API key, or a
    /// certificate on TLS).
    public func credential(id: String?, usesTLS: Bool) throws -> DemoCredential {
        let clients = try credentials()
        if let id {
            guard let client = clients.first(where: { $0.id == id }) else { throw LoadOptionError.invalid("client", id) }
            return client
        }
        guard let client = clients.first(where: { $0.apiKey != nil || (usesTLS && $0.certificate != nil) }) else {
            throw LoadOptionError.missing("a usable client in credentials.json")
        }
        return client
    }

    /// Applies the credential to the options: the API key unless a key or certificate was given explicitly; on TLS
    /// without an API key, the client certificate (mTLS); and the demo CA as trust root.
    public func apply(_ credential: DemoCredential, to options: inout LoadOptions) {
        if options.apiKey == nil && options.certificateFile == nil {
            if let apiKey = credential.apiKey {
                options.apiKey = apiKey
            } else if options.target.usesTLS, let certificate = credential.certificate, let key = credential.privateKey {
                options.certificateFile = layout.resolve(certificate).path
                options.privateKeyFile = layout.resolve(key).path
            }
        }
        if options.target.usesTLS && options.caFile == nil && !options.insecure { options.caFile = caFile }
    }
}

extension LoadOptions {
    /// `authorization: Bearer <key>` when an API key is set.
    public var authorizationHeaders: [(name: String, value: String)] {
        apiKey.map { [("authorization", "Bearer \($0)")] } ?? []
    }
}
