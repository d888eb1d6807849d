using Akka.Configuration;

namespace Workers.Actors;

/// <summary>The Akka configuration Workers runs on, read from the hocon/ files embedded in this assembly.</summary>
public static class WorkersConfiguration
{
    private static readonly Lazy<Config> ManagerConfig = new(() => Load("manager.hocon"));
    private static readonly Lazy<Config> NodeConfig = new(() => Load("worker-node.hocon"));

    /// <summary>
    /// The configuration for an ActorSystem that hosts a <see cref="JobManagerActor"/>: remoting on 127.0.0.1,
    /// port 0, and the wire serializer. Put your own settings in front of it with <c>WithFallback</c>.
    /// </summary>
    public static Config Manager => ManagerConfig.Value;

    /// <summary>
    /// <see cref="Manager"/> listening where <paramref name="remoting"/> says, with TLS if it says so: for a manager
    /// that accepts worker nodes from other hosts.
    /// </summary>
    public static Config ManagerOn(WorkersRemoting remoting) => remoting.ToConfig().WithFallback(Manager);

    /// <summary>The configuration of a worker node process.</summary>
    public static Config WorkerNode => NodeConfig.Value;

    private static Config Load(string name)
    {
        using var stream = typeof(WorkersConfiguration).Assembly.GetManifestResourceStream($"Workers.hocon.{name}")
            ?? throw new InvalidOperationException($"hocon/{name} is not embedded in Workers.Actors.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
