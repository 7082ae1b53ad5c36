using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Retrainer.EngineHost;

// The real Durable Task extension for the Node app, started by engine-host/worker (Node), which
// passes everything through the environment and reads one ENGINE-READY line from stdout.
var env = (string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new InvalidOperationException($"{name} is not set.");
var functions = JsonConvert.DeserializeObject<List<AppFunction>>(env("ENGINE_FUNCTIONS")) ?? new();
Bridge.WorkerUrl = new Uri(env("ENGINE_WORKER_URL"));
Bridge.WorkerToken = env("ENGINE_WORKER_TOKEN");
var webhookBase = new Uri(env("ENGINE_WEBHOOK_BASE_URL"));
var systemKey = env("ENGINE_SYSTEM_KEY");
ParentWatch.ExitWhenGone(int.Parse(env("ENGINE_PARENT_PID")));

var stubs = Stubs.Emit(functions);
var builder = new HostBuilder()
    .ConfigureAppConfiguration(c =>
    {
        c.Sources.Clear();
        c.AddInMemoryCollection(HostJson.ExtensionSettings(env("ENGINE_HOST_JSON")));
        c.AddEnvironmentVariables();
        c.AddInMemoryCollection(HostJson.OverridesFromAppSettings());
    })
    .ConfigureWebJobs(b => b.AddDurableTask())
    .ConfigureServices(s =>
    {
        s.AddSingleton<ITypeLocator>(new FixedTypeLocator(stubs));
        s.AddSingleton<IWebHookProvider>(new WebHooks(webhookBase, systemKey));
    })
    .ConfigureLogging(l =>
    {
        l.ClearProviders();
        l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        l.SetMinimumLevel(LogLevel.Warning);
        l.AddFilter("Host.Triggers.DurableTask", LogLevel.Information);
        // ENGINE_TRACE_STORAGE=1: the Azure Storage provider's own trace (leases, queues), for diagnosis.
        if (Environment.GetEnvironmentVariable("ENGINE_TRACE_STORAGE") == "1") l.AddFilter("DurableTask.AzureStorage", LogLevel.Information);
    });

using var host = builder.Build();
await host.StartAsync();
var jobHost = host.Services.GetRequiredService<IJobHost>();
await jobHost.CallAsync("DurableClientBindingData");
var client = await Bridge.ClientBindingData;
var webhooks = WebhookListener.Start(host.Services);
Console.WriteLine("ENGINE-READY " + JsonConvert.SerializeObject(new { webhookListenerUrl = webhooks.Url, client }));
await host.WaitForShutdownAsync();
