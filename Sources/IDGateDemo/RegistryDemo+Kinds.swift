import IDGateStore

extension RegistryDemo {
    /// Organizations generated per this many residents.
    static let residentsPerOrganization = 20

    /// The documents, organizations and foreign residents of the demo registry: generated for the same residents
    /// (a second pass of the deterministic generator, so the residents are never all held in memory), imported with
    /// them, and loaded with them into the registry of record (`idgate demo init --postgres`).
    public static func kinds(residents: Int, seed: UInt64) -> KindImportInput {
        var generator = KindGenerator(seed: seed)
        var input = KindImportInput()
        input.documents = generator.documents(for: ResidentGenerator(seed: seed).prefix(residents))
        input.organizations = generator.organizations(
            count: Swift.max(1, residents / residentsPerOrganization), residents: ResidentGenerator(seed: seed).prefix(residents))
        input.foreigners = Array(ForeignerGenerator(seed: seed).prefix(foreignerCount(residents: residents)))
        return input
    }
}
