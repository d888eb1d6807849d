using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Workers.Actors;

namespace Workers.AspNetCore;

/// <summary>
/// Healthy only when the job manager answers <see cref="GetWorkers"/> within the timeout and at least one of its
/// slots can take jobs (is not <see cref="WorkerState.Failed"/>). A manager that is gone, stuck, or whose every
/// slot gave up is unhealthy, with the reason in the description.
/// </summary>
public sealed class WorkersHealthCheck(Func<CancellationToken, Task<IActorRef>> manager, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var actor = await manager(cancellationToken).WaitAsync(timeout, cancellationToken);
            var info = await actor.Ask<WorkersInfo>(GetWorkers.Instance, timeout, cancellationToken);
            var usable = info.Workers.Count(worker => worker.State != WorkerState.Failed);
            var data = new Dictionary<string, object>
            {
                ["slots"] = info.Workers.Count,
                ["usable"] = usable,
                ["busy"] = info.Workers.Count(worker => worker.State == WorkerState.Busy),
            };
            return usable > 0
                ? HealthCheckResult.Healthy($"{usable} of {info.Workers.Count} worker slots can take jobs.", data)
                : HealthCheckResult.Unhealthy($"Every one of the {info.Workers.Count} worker slots has failed.", data: data);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The job manager did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"The job manager cannot be asked: {e.Message}", e);
        }
    }
}

public static class WorkersHealthCheckExtensions
{
    /// <summary>
    /// Adds a <see cref="WorkersHealthCheck"/> on the manager registered by Akka.Hosting's <c>WithWorkers</c>
    /// (<c>IRequiredActor&lt;JobManagerActor&gt;</c>), asked with <paramref name="timeout"/> (default 2 s).
    /// </summary>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddWorkers(this IHealthChecksBuilder builder, string name = "workers", TimeSpan? timeout = null) =>
        builder.Add(new HealthCheckRegistration(name,
            services => new WorkersHealthCheck(
                cancel => services.GetRequiredService<IRequiredActor<JobManagerActor>>().GetAsync(cancel),
                timeout ?? TimeSpan.FromSeconds(2)),
            HealthStatus.Unhealthy, tags: null));
}
