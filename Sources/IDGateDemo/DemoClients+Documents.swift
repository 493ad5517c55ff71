import IDGateStore

extension DemoClients {
    /// The document types each demo client may check (`documentTypes` in `clients.json`): the bank the documents a
    /// loan file needs, the agency and the tester every type; the airline and the telco none (their operations
    /// exclude `/v1/documents/verify` anyway).
    public static let documentTypes: [String: [String]] = [
        "demo-bank": [DocumentType.drivingLicence, .healthInsurance, .socialInsurance, .vehicleRegistration].map(\.wireName),
        "demo-agency": DocumentType.allCases.map(\.wireName),
        "demo-tester": DocumentType.allCases.map(\.wireName),
    ]
}
