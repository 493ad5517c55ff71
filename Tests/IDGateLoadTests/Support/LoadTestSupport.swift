import Foundation
import IDGateLoad

/// Runs one load test quietly against `url` with `configure` applied, in single-request mode unless a plan is given.
func runLoad(
    _ url: String, path: String = "/index.html", plan: TrafficPlan? = nil, _ configure: (inout LoadOptions) -> Void
) async throws -> LoadSummary {
    var options = LoadOptions(target: try LoadTarget(url: url))
    options.showProgress = false
    options.timeoutNanos = 2_000_000_000
    configure(&options)
    let plan = plan ?? TrafficPlan(target: options.target, method: "GET", path: path, body: nil, headers: [])
    return try await LoadRunner(options: options, plan: plan).run()
}

/// Runs a shell tool and fails the test setup when it fails.
@discardableResult
func shell(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestSetupError("\(arguments.joined(separator: " ")) failed") }
    return String(decoding: data, as: UTF8.self)
}

/// A self-signed certificate for 127.0.0.1 (it is its own CA) in `directory`.
func makeServerCertificate(in directory: TemporaryDirectory, name: String = "server") throws -> (key: String, certificate: String) {
    let key = directory.path + "/\(name).key.pem"
    let certificate = directory.path + "/\(name).pem"
    try shell([
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
    ])
    return (key, certificate)
}

/// A demo folder as `idgate demo init` lays it out: sample, credentials, clients, and two cards (one with an
/// Active Authentication key whose public key is data group 15, one `no_aa`).
func makeDemoFolder(apiKey: String = "test-key") throws -> TemporaryDirectory {
    let demo = try TemporaryDirectory()
    let records = [
        #"{"idNumber":"001085012345","fullName":"Nguyễn Văn An","dateOfBirth":"1985-03-14","sex":"male","placeOfOrigin":"Hà Nội","placeOfResidence":"Hà Nội","phoneNumbers":["0912345678"],"cardIssueDate":"2021-04-20","cardStatus":"valid","recordStatus":"active"}"#,
        #"{"idNumber":"079190004321","fullName":"Trần Thị Đào","dateOfBirth":"1990","sex":"female","phoneNumbers":[],"cardStatus":"valid","recordStatus":"active"}"#,
        #"{"idNumber":"048077000777","fullName":"Lê Đức Thọ","dateOfBirth":"1977-11","sex":"male","cardStatus":"valid","recordStatus":"active"}"#,
    ]
    _ = try demo.write("sample.ndjson", Data((records.joined(separator: "\n") + "\n").utf8))
    _ = try demo.write("credentials.json", Data(#"{"clients":[{"id":"bank-a","kind":"bank","apiKey":"\#(apiKey)"}]}"#.utf8))
    _ = try demo.write("clients.json", Data(#"{"clients":[{"id":"bank-a","purposes":["account-opening"]}]}"#.utf8))
    _ = try demo.write("cards/index.json", Data(#"{"cards":[{"id":"001085012345","kind":"valid","dir":"cards/001085012345"},{"id":"079190004321","kind":"no_aa","dir":"cards/079190004321"}]}"#.utf8))
    for card in ["001085012345", "079190004321"] {
        _ = try demo.write("cards/\(card)/EF_SOD.bin", Data([0x77, 0x82, 0x01, 0x00] + Array(repeating: 0x42, count: 64)))
        _ = try demo.write("cards/\(card)/EF_DG1.bin", Data([0x61, 0x05, 1, 2, 3, 4, 5]))
        _ = try demo.write("cards/\(card)/EF_DG13.bin", Data([0x6D, 0x03, 9, 9, 9]))
    }
    let cardDirectory = demo.path + "/cards/001085012345"
    try shell(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", cardDirectory + "/aa.key.pem"])
    try shell(["openssl", "pkey", "-in", cardDirectory + "/aa.key.pem", "-pubout", "-outform", "DER", "-out", cardDirectory + "/EF_DG15.bin"])
    return demo
}
