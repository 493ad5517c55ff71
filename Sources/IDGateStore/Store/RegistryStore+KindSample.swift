extension RegistryStore {
    /// About `count` stored documents spread evenly over the key order, as owning copies (test traffic).
    public func sampleDocuments(count: Int) -> [DocumentRecord] {
        let reader = makeReader()
        let total = reader.withTransaction { $0.documentCount }
        let stride = Swift.max(1, total / Swift.max(count, 1))
        var records: [DocumentRecord] = []
        reader.withTransaction { txn in
            var index = 0
            txn.forEachDocument { record in
                if index % stride == 0 { records.append(record) }
                index += 1
                return records.count < count
            }
        }
        return records
    }

    /// About `count` stored organizations spread evenly over the key order, as owning copies (test traffic).
    public func sampleOrganizations(count: Int) -> [OrganizationRecord] {
        let reader = makeReader()
        let total = reader.withTransaction { $0.organizationCount }
        let stride = Swift.max(1, total / Swift.max(count, 1))
        var records: [OrganizationRecord] = []
        reader.withTransaction { txn in
            var index = 0
            txn.forEachOrganization { record in
                if index % stride == 0 { records.append(record) }
                index += 1
                return records.count < count
            }
        }
        return records
    }
}
