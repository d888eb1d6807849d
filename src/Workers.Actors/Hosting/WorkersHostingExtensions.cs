using Akka.Hosting;
using Workers.Actors.Launching;

namespace Workers.Actors;

/// <summary>Akka.Hosting registration of Workers job managers.</summary>
public static class WorkersHostingExtensions
{
    /// <summary>
    /// Makes the ActorSystem listen where <paramref name="remoting"/> says (address, port, public address) and turns on
    /// TLS if it says so; needed for worker nodes on other hosts. Its settings are put in front: they win over the defaults
    /// that <see cref="WithWorkers"/> adds and over remoting settings added before this call.
    /// </summary>
    /// <returns>The same builder, for chaining.</returns>
    public static AkkaConfigurationBuilder WithWorkersRemoting(this AkkaConfigurationBuilder builder, WorkersRemoting remoting)
    {
        remoting.Validate();
        return builder.AddHocon(remoting.ToConfig(), HoconAddMode.Prepend);
    }

    /// <summary>
    /// Starts a <see cref="JobManagerActor"/> for <see cref="JobManagerOptions.WorkerType"/>, named
    /// <c>job-manager-{workerType}</c>. The first one registered is available as
    /// <c>IRequiredActor&lt;JobManagerActor&gt;</c>; every one through <see cref="JobManagerRegistry"/>. Remoting is
    /// turned on (127.0.0.1, port 0) unless the application configures it, and the wire serializer is bound.
    /// Options are validated here, so a bad setting or a missing worker node stops the host from starting.
    /// </summary>
    /// <returns>The same builder, for chaining.</returns>
    public static AkkaConfigurationBuilder WithWorkers(this AkkaConfigurationBuilder builder, JobManagerOptions options)
    {
        options.Validate();
        if (options.NodeLauncher is null)
            WorkerNodeLocator.Locate(options.WorkerNodePath);

        // Appended: the application's own settings (WithRemoting, its HOCON) take precedence over these defaults.
        var stopPhase = options.Worker.ShutdownTimeout + TimeSpan.FromSeconds(3);
        if (stopPhase > TimeSpan.FromSeconds(15))
            builder.AddHocon($"akka.coordinated-shutdown.phases.service-stop.timeout = {(int)Math.Ceiling(stopPhase.TotalSeconds)}s", HoconAddMode.Append);
        builder.AddHocon(WorkersConfiguration.Manager, HoconAddMode.Append);
        return builder.WithActors((system, registry) =>
        {
            var manager = system.ActorOf(JobManagerActor.Props(options), JobManagerActor.ActorName(options.WorkerType));
            registry.TryRegister<JobManagerActor>(manager);
            JobManagerRegistry.For(system).Add(options.WorkerType, manager);
        });
    }
}
