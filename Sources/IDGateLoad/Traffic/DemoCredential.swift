/// A client identity from `credentials.json`: an API key, a certificate, or both (paths as written in the file).
public struct DemoCredential: Decodable, Sendable, Equatable {
    public var id: String
    public var kind: String?
    public var apiKey: String?
    public var certificate: String?
    public var privateKey: String?
}
