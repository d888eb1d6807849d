// Every test starts real worker-node processes (.NET runtimes of their own, ~0.5-1 s each to start). On the 2-core
// CI machine more than two test classes at a time only make node start-ups compete and slow every test down, so
// the suite runs at most two test classes in parallel (xunit's default "conservative" algorithm starts no more tests
// than this, async or not).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
