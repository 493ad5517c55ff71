extension RegistryStore {
    /// About `count` stored records spread evenly over the ID range (every k-th in key order), as owning copies.
    /// An operator tool for building test traffic; reads the whole residents tree once.
    public func sample(count: Int) -> [ResidentRecord] {
        guard count > 0 else { return [] }
        let total = stats().residents
        let stride = Swift.max(1, total / count)
        var records: [ResidentRecord] = []
        records.reserveCapacity(Swift.min(count, total))
        makeReader().withTransaction { txn in
            var index = 0
            txn.forEachResident { view in
                if index % stride == 0 { records.append(view.record()) }
                index += 1
                return records.count < count
            }
        }
        return records
    }
}
