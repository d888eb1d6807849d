using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Event;
using Akka.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Workers.Actors;
using Workers.AspNetCore;
using Workers.Dashboard;

// The Workers dashboard: a job manager with two worker-node processes behind an HTTP API, a live page at /, server-sent
// events at /api/events, a health check at /healthz and Prometheus metrics at /metrics.

var builder = WebApplication.CreateBuilder(args);
var settings = builder.Configuration.GetSection("Workers").Get<DashboardSettings>() ?? new DashboardSettings();

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
    json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)); // "running", "idle"
});
builder.Services.AddWorkersEvents();
builder.Services.AddAkka("dashboard", (akka, services) => akka
    .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
    // Crashes and cancel kills are part of the show: keep Akka.Remote's stack trace for them out of the log.
    .AddSetup(new LogFilterBuilder().Add(new WorkerNodeDisconnectLogFilter()).Build())
    .WithWorkers(new JobManagerOptions
    {
        WorkerType = DashboardSettings.WorkerType,
        PluginAssemblies = [DashboardSettings.PluginAssembly],
        EventBroadcaster = services.GetRequiredService<SseEventBroadcaster>(),
        Store = settings.StoreOptions(), // ./data/workers.db unless configured: jobs survive a restart
        Worker = new WorkerConfig
        {
            MaxWorkers = settings.MaxWorkers,
            RequestQueueSize = settings.RequestQueueSize,
            MaxRestartAttempts = settings.MaxRestartAttempts,
            RestartPolicy = RestartPolicy.Always, // a crashed or cancelled node comes back at once
        },
    }));
builder.Services.AddHealthChecks().AddWorkers();

var telemetry = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(WorkersTelemetry.Name).AddPrometheusExporter());
if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
    telemetry.WithTracing(tracing => tracing.AddSource(WorkersTelemetry.Name).AddOtlpExporter()); // job spans, when a collector is configured

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapJobsApi();
app.MapWorkersEvents("/api/events");
app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = DashboardHealth.WriteAsync });
app.MapPrometheusScrapingEndpoint("/metrics");

await app.StartAsync();
foreach (var url in app.Urls)
    Console.WriteLine($"Workers dashboard: {url}");
await app.WaitForShutdownAsync(); // Ctrl+C: the host stops the manager, which stops every worker node

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
