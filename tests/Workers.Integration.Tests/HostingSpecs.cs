using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workers.Actors;
using Workers.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Workers.Integration.Tests;

/// <summary>Starting managers from a generic host with Akka.Hosting's <c>WithWorkers</c>.</summary>
public class HostingSpecs(ITestOutputHelper output) : WorkersSpec("hosting-specs", output)
{
    [Fact]
    public async Task Should_run_a_job_through_the_manager_from_dependency_injection_and_stop_its_nodes_with_the_host()
    {
        var options = Options(workerType: "hosted");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("hosting-app", akka => akka.WithWorkers(options));
        using var host = builder.Build();

        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        try
        {
            var manager = await host.Services.GetRequiredService<IRequiredActor<JobManagerActor>>().GetAsync();
            Assert.Equal(manager, JobManagerRegistry.For(system).Get("hosted"));
            await Nodes.TrackAsync(system, manager, Reply);

            var client = CreateTestProbe(system, "client");
            var subscriber = CreateTestProbe(system, "subscriber");
            subscriber.Send(manager, new SubscribeToJobEvents(subscriber.Ref));
            await subscriber.ExpectMsgAsync<SubscribedToJobEvents>(Reply);
            var (started, metadata) = await RunEchoAsync(client, subscriber, manager, "hosted hello");

            Assert.NotEqual(Environment.ProcessId, started.WorkerPid);
            Assert.Equal(started.WorkerPid, metadata.GetProperty("pid").GetInt32());
            // WithWorkers' configuration replaces Akka's JSON serializer in the application's system too.
            Assert.IsType<NoJsonFallbackSerializer>(system.Serialization.FindSerializerForType(typeof(object)));
            // And it runs Workers' direct transport beside DotNetty, whose address stays the system's default.
            var addresses = ((Akka.Remote.IRemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport.Addresses;
            Assert.Contains(addresses, address => address.Protocol == DirectTcpTransport.Protocol);
            Assert.Equal("akka.tcp", ((ExtendedActorSystem)system).Provider.DefaultAddress.Protocol);
        }
        finally
        {
            await host.StopAsync();
        }

        await system.WhenTerminated.WaitAsync(NodeStart);
        Assert.NotEmpty(Nodes.Pids);
        await Nodes.AssertAllExitedAsync(NodeStart);
    }

    [Fact]
    public async Task Should_register_one_manager_per_worker_type_for_keyed_lookup()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("hosting-keyed-app", akka => akka
            .WithWorkers(Options(workerType: "alpha"))
            .WithWorkers(Options(workerType: "beta")));
        using var host = builder.Build();

        await host.StartAsync();
        try
        {
            var registry = JobManagerRegistry.For(host.Services.GetRequiredService<ActorSystem>());
            var first = await host.Services.GetRequiredService<IRequiredActor<JobManagerActor>>().GetAsync();

            Assert.Equal(["alpha", "beta"], registry.WorkerTypes);
            Assert.Equal(first, registry.Get("alpha"));
            Assert.NotEqual(registry.Get("alpha"), registry.Get("beta"));
            Assert.Equal(JobManagerActor.ActorName("beta"), registry.Get("beta").Path.Name);
            var missing = Assert.Throws<KeyNotFoundException>(() => registry.Get("gamma"));
            Assert.Contains("gamma", missing.Message);
            Assert.Contains("alpha, beta", missing.Message);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Should_listen_where_WithWorkersRemoting_says_whatever_order_it_is_called_in()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("hosting-remoting-app", akka => akka
            .WithWorkers(Options(workerType: "listening"))
            .WithWorkersRemoting(new WorkersRemoting { Hostname = "127.0.0.1", Port = 0, PublicHostname = "localhost" }));
        using var host = builder.Build();

        await host.StartAsync();
        try
        {
            var system = (ExtendedActorSystem)host.Services.GetRequiredService<ActorSystem>();

            // The public hostname is the address written into the actor paths that nodes get.
            Assert.Equal("localhost", system.Provider.DefaultAddress.Host);
            Assert.NotEqual(0, system.Provider.DefaultAddress.Port);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
