using System.Net;
using System.Net.Sockets;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.DependencyInjection;

namespace Retrainer.EngineHost;

/// <summary>
/// What the Functions host does for <c>/runtime/webhooks/durabletask/*</c>: hands the request to
/// the extension's own webhook handler. Loopback only; the Node front in front of it checks the
/// system key before forwarding, as Azure checks it before the extension sees a request.
/// </summary>
public sealed class WebhookListener
{
    public required string Url { get; init; }

    public static WebhookListener Start(IServiceProvider services)
    {
        var extension = services.GetServices<IExtensionConfigProvider>().OfType<DurableTaskExtension>().Single();
        var handler = (IAsyncConverter<HttpRequestMessage, HttpResponseMessage>)extension;
        var (listener, url) = Bind();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var ctx = await listener.GetContextAsync();
                _ = Task.Run(() => Serve(ctx, handler));
            }
        });
        return new WebhookListener { Url = url };
    }

    private static (HttpListener, string) Bind()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var url = $"http://127.0.0.1:{port}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return (listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between the probe and the bind: try another.
            }
        }
    }

    private static async Task Serve(HttpListenerContext ctx, IAsyncConverter<HttpRequestMessage, HttpResponseMessage> handler)
    {
        try
        {
            var forwardedFor = ctx.Request.Headers["X-Forwarded-Url"];
            var uri = new Uri(forwardedFor ?? ctx.Request.Url!.ToString());
            using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.HttpMethod), uri);
            if (ctx.Request.HasEntityBody)
            {
                using var body = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(body);
                request.Content = new ByteArrayContent(body.ToArray());
                if (ctx.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            foreach (var name in ctx.Request.Headers.AllKeys)
            {
                if (name is null || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
                request.Headers.TryAddWithoutValidation(name, ctx.Request.Headers[name]);
            }
            using var response = await handler.ConvertAsync(request, CancellationToken.None);
            ctx.Response.StatusCode = (int)response.StatusCode;
            foreach (var h in response.Headers) ctx.Response.Headers[h.Key] = string.Join(",", h.Value);
            if (response.Content is not null)
            {
                foreach (var h in response.Content.Headers)
                {
                    if (h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
                    ctx.Response.Headers[h.Key] = string.Join(",", h.Value);
                }
                var bytes = await response.Content.ReadAsByteArrayAsync();
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"webhook error: {e.Message}");
            try { ctx.Response.StatusCode = 500; } catch (InvalidOperationException) { /* headers already sent */ }
        }
        finally
        {
            ctx.Response.Close();
        }
    }
}
