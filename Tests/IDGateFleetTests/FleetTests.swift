import Testing

/// The fleet suites, one test at a time: each test starts its own PostgreSQL cluster, and a dozen starting at
/// once on a 2-core machine starve the rest of a full `swift test` run (timing-sensitive tests elsewhere failed).
@Suite(.serialized) enum FleetTests {}
