using System.Collections.Concurrent;
using Akka.Actor;

namespace Workers.Actors;

/// <summary>
/// The job managers of an ActorSystem by worker type, for applications that run several (one per worker type).
/// <c>WithWorkers</c> adds each manager here; <c>IRequiredActor&lt;JobManagerActor&gt;</c> gives the first one.
/// </summary>
public sealed class JobManagerRegistry : IExtension
{
    private readonly ConcurrentDictionary<string, IActorRef> _managers = new(StringComparer.Ordinal);

    public static JobManagerRegistry For(ActorSystem system) => system.WithExtension<JobManagerRegistry, JobManagerRegistryProvider>();

    /// <summary>The manager of <paramref name="workerType"/>; throws <see cref="KeyNotFoundException"/> naming the known types.</summary>
    public IActorRef Get(string workerType) =>
        _managers.TryGetValue(workerType, out var manager)
            ? manager
            : throw new KeyNotFoundException($"No job manager for worker type \"{workerType}\". Registered: {string.Join(", ", _managers.Keys.Order())}.");

    public bool TryGet(string workerType, out IActorRef manager) => _managers.TryGetValue(workerType, out manager!);

    public IReadOnlyCollection<string> WorkerTypes => [.. _managers.Keys.Order()];

    internal void Add(string workerType, IActorRef manager)
    {
        if (!_managers.TryAdd(workerType, manager))
            throw new InvalidOperationException($"A job manager for worker type \"{workerType}\" is already registered.");
    }

    private sealed class JobManagerRegistryProvider : ExtensionIdProvider<JobManagerRegistry>
    {
        public override JobManagerRegistry CreateExtension(ExtendedActorSystem system) => new();
    }
}
