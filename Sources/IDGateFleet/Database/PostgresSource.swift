import Foundation
import NIOSSL
import PostgresNIO

/// Where the registry of record lives and how to log in to it.
///
/// Credentials come from the environment or from files, never from a command line (visible to every user in
/// `ps`) and never in a log: `description` leaves the password out, and the password itself is kept in a
/// `RedactedSecret` that prints as `<redacted>` even through `dump` or `String(reflecting:)`.
///
/// - `IDGATE_POSTGRES_URL`: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require]`
/// - `IDGATE_POSTGRES_URL_FILE`: a file holding that URL (instead of the variable)
/// - `IDGATE_POSTGRES_PASSWORD_FILE`: a file holding the password alone (takes precedence over one in the URL)
public struct PostgresSource: Sendable, CustomStringConvertible {
    public static let urlVariable = "IDGATE_POSTGRES_URL"
    public static let urlFileVariable = "IDGATE_POSTGRES_URL_FILE"
    public static let passwordFileVariable = "IDGATE_POSTGRES_PASSWORD_FILE"

    public var host: String
    public var port: Int
    public var username: String
    public var database: String
    /// `sslmode=require`: TLS with certificate and host name verification against the system trust store.
    public var requiresTLS: Bool
    var password: RedactedSecret?

    /// Parses a `postgres://` URL; `passwordFile`, when given, supplies the password.
    public init(url: String, passwordFile: String? = nil) throws(FleetError) {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespacesAndNewlines)),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw .configuration("the PostgreSQL URL must look like postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else { throw .configuration("the PostgreSQL URL has no host") }
        guard let username = components.user, !username.isEmpty else {
            throw .configuration("the PostgreSQL URL has no user name")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw .configuration("the PostgreSQL URL names no database") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.database = database
        self.password = components.password.map(RedactedSecret.init)
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
        case nil, "disable": requiresTLS = false
        case "require", "verify-full": requiresTLS = true
        case let other?: throw .configuration("sslmode '\(other)' is not supported (use disable or require)")
        }
        if let passwordFile {
            password = RedactedSecret(try Self.readSecretFile(passwordFile, what: "password"))
        }
    }

    /// The source named by the environment (see the type's documentation).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(FleetError) -> PostgresSource {
        let url: String
        if let value = environment[urlVariable], !value.isEmpty {
            url = value
        } else if let path = environment[urlFileVariable], !path.isEmpty {
            url = try readSecretFile(path, what: "URL")
        } else {
            throw .configuration("set \(urlVariable) (or \(urlFileVariable)) to the registry database's postgres:// URL")
        }
        let passwordFile = environment[passwordFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        return try PostgresSource(url: url, passwordFile: passwordFile)
    }

    /// The URL without the password: safe for logs and error messages.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)" + (requiresTLS ? "?sslmode=require" : "")
    }

    func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if requiresTLS {
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        } else {
            tls = .disable
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password?.value, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// The same settings for a connection pool (`PostgresClient`).
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password?.value, database: database,
            tls: requiresTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private static func readSecretFile(_ path: String, what: String) throws(FleetError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read the PostgreSQL \(what) file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .configuration("the PostgreSQL \(what) file \(path) is empty") }
        return text
    }
}

/// A secret that never shows in string interpolation, `dump` or reflection.
struct RedactedSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    init(_ value: String) { self.value = value }

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
