// Each dashboard starts worker-node processes; on a 2-core machine the suites run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
