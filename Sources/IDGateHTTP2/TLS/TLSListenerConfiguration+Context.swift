import NIOSSL

extension TLSListenerConfiguration {
    /// The swift-nio-ssl server context: TLS 1.2 or newer, ALPN `h2` only, client certificates per `clientAuth`.
    func makeSSLContext() throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["h2"]
        switch clientAuth {
        case .none:
            configuration.certificateVerification = .none
        case .optional:
            configuration.certificateVerification = .optionalVerification
        case .required:
            configuration.certificateVerification = .noHostnameVerification
        }
        if clientAuth != .none {
            guard let clientCAPath else { throw HTTP2ServerError.missingClientCA }
            configuration.trustRoots = .file(clientCAPath)
            // Tell clients which CAs we accept so they pick the right certificate.
            configuration.sendCANameList = true
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
