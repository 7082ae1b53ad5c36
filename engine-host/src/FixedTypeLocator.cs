using Microsoft.Azure.WebJobs;

namespace Retrainer.EngineHost;

/// <summary>The SDK indexes only the emitted stubs, not this assembly.</summary>
public sealed class FixedTypeLocator(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}
