using Newtonsoft.Json.Linq;

namespace Retrainer.EngineHost;

/// <summary>
/// host.json's <c>extensions</c> section as configuration, where the WebJobs SDK binds extension
/// options from (<c>AzureWebJobs:Extensions:{name}</c>), and the Functions host's app-setting
/// overrides of it (<c>AzureFunctionsJobHost__extensions__durableTask__hubName</c>), applied last.
/// </summary>
public static class HostJson
{
    private const string Section = "AzureWebJobs";
    private const string OverridePrefix = "AzureFunctionsJobHost__";

    public static IEnumerable<KeyValuePair<string, string?>> ExtensionSettings(string path)
    {
        var json = JObject.Parse(File.ReadAllText(path));
        if (json["extensions"] is not JObject extensions) yield break;
        foreach (var leaf in extensions.Descendants().OfType<JValue>())
        {
            var key = string.Join(":", leaf.Path.Split('.').Select(p => p.Replace("[", ":").Replace("]", "")));
            yield return new($"{Section}:Extensions:{key}", leaf.Type == JTokenType.Null ? null : Convert.ToString(leaf.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static IEnumerable<KeyValuePair<string, string?>> OverridesFromAppSettings()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var name = (string)e.Key;
            if (!name.StartsWith(OverridePrefix, StringComparison.OrdinalIgnoreCase)) continue;
            yield return new($"{Section}:{name[OverridePrefix.Length..].Replace("__", ":")}", (string?)e.Value);
        }
    }
}
