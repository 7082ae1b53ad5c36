using System.Net.Http.Headers;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Retrainer.EngineHost;

/// <summary>
/// Forwards a trigger to the Node worker and converts values as the Functions host does between
/// the extension and a Node worker: the payload goes out as a string (the worker applies its own
/// rules to it); the result comes back as RPC typed data (json, string, int, double or nothing)
/// and becomes JToken (parsed with DateParseHandling.None), string, long or double; a failure
/// becomes an exception whose message has the host's "Result: Failure" shape.
/// </summary>
public static class Bridge
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(11) };
    private static readonly TaskCompletionSource<string> Client = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Uri? WorkerUrl { get; set; }
    public static string WorkerToken { get; set; } = "";

    public static Task<string> ClientBindingData => Client.Task;

    public static void CaptureClient(string client) => Client.TrySetResult(client);

    public static async Task<JObject> Orchestrate(string name, string payload) =>
        await Invoke(name, "orchestration", payload) as JObject
        ?? throw new InvalidOperationException($"Orchestrator {name} answered with something other than a JSON object.");

    public static async Task<JObject> Entity(string name, string payload) =>
        await Invoke(name, "entity", payload) as JObject
        ?? throw new InvalidOperationException($"Entity {name} answered with something other than a JSON object.");

    public static Task<object?> Activity(string name, string payload) => Invoke(name, "activity", payload);

    private sealed record Answer(bool Ok, string? Type, JToken? Value, string? Message, string? Stack);

    private static async Task<object?> Invoke(string name, string kind, string payload)
    {
        if (WorkerUrl is null) throw new InvalidOperationException("The Node worker's URL is not set.");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WorkerUrl, $"invoke/{Uri.EscapeDataString(name)}?kind={kind}"))
        {
            Content = new StringContent(JsonConvert.SerializeObject(new { payload }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkerToken);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The Node worker answered {(int)response.StatusCode} for {name}: {text}");
        var answer = JsonConvert.DeserializeObject<Answer>(text, new JsonSerializerSettings { DateParseHandling = DateParseHandling.None })
            ?? throw new InvalidOperationException($"The Node worker sent an empty answer for {name}.");
        if (!answer.Ok) throw new WorkerException(answer.Message ?? "", answer.Stack ?? "");
        return answer.Type switch
        {
            null or "none" => null,
            "string" => answer.Value?.Value<string>(),
            "int" => answer.Value?.Value<long>(),
            "double" => answer.Value?.Value<double>(),
            "json" => JsonConvert.DeserializeObject<JToken>(answer.Value?.Value<string>() ?? "null", new JsonSerializerSettings { DateParseHandling = DateParseHandling.None }),
            _ => throw new InvalidOperationException($"The Node worker sent a value of type '{answer.Type}' for {name}."),
        };
    }
}

/// <summary>A failed invocation, with the message the Functions host gives an RPC failure.</summary>
public sealed class WorkerException(string message, string stack)
    : Exception($"Result: Failure\nException: {message}\nStack: {stack}");
