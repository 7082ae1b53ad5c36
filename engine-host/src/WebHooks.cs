using Microsoft.Azure.WebJobs.Host.Config;

namespace Retrainer.EngineHost;

/// <summary>
/// The URL the Functions host gives an extension's webhook: the front's
/// /runtime/webhooks/durabletask with the extension's system key, so the management URLs the
/// extension builds point at the front and carry the key, as in Azure.
/// </summary>
public sealed class WebHooks(Uri baseUrl, string systemKey) : IWebHookProvider
{
    public Uri GetUrl(IExtensionConfigProvider extension) =>
        new($"{baseUrl.ToString().TrimEnd('/')}/runtime/webhooks/durabletask?code={Uri.EscapeDataString(systemKey)}");
}
