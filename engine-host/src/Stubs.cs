using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace Retrainer.EngineHost;

/// <summary>One function of the Node app, as its registration names it.</summary>
public sealed record AppFunction(string Name, string Kind);

/// <summary>
/// The function stubs the WebJobs SDK indexes, one per function the Node app registers, emitted
/// at run time because a function's name is an attribute value. Each forwards its trigger payload
/// to <see cref="Bridge"/>. Trigger parameters are <c>string</c>, which is what makes the extension
/// treat the function as out-of-process, as it does for Node on the Functions host.
/// </summary>
public static class Stubs
{
    public static Type Emit(IReadOnlyList<AppFunction> functions)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("RetrainerFunctionStubs"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("RetrainerFunctionStubs");
        var type = module.DefineType("RetrainerFunctions", TypeAttributes.Public | TypeAttributes.Class | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var index = 0;
        foreach (var f in functions)
        {
            var (trigger, returns, target) = f.Kind switch
            {
                "orchestration" => (typeof(OrchestrationTriggerAttribute), typeof(Task<JObject>), nameof(Bridge.Orchestrate)),
                "activity" => (typeof(ActivityTriggerAttribute), typeof(Task<object?>), nameof(Bridge.Activity)),
                "entity" => (typeof(EntityTriggerAttribute), typeof(Task<JObject>), nameof(Bridge.Entity)),
                _ => throw new ArgumentException($"Function {f.Name} has kind '{f.Kind}'; the engine host runs orchestration, activity and entity functions."),
            };
            var method = type.DefineMethod($"F{index++}", MethodAttributes.Public | MethodAttributes.Static, returns, new[] { typeof(string) });
            method.SetCustomAttribute(new CustomAttributeBuilder(typeof(FunctionNameAttribute).GetConstructor(new[] { typeof(string) })!, new object[] { f.Name }));
            var parameter = method.DefineParameter(1, ParameterAttributes.None, "payload");
            parameter.SetCustomAttribute(new CustomAttributeBuilder(trigger.GetConstructor(Type.EmptyTypes)!, Array.Empty<object>()));
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldstr, f.Name);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, typeof(Bridge).GetMethod(target, new[] { typeof(string), typeof(string) })!);
            il.Emit(OpCodes.Ret);
        }

        // The durable client binding data, read once at start and handed to the Node front.
        var client = type.DefineMethod("DurableClientBindingData", MethodAttributes.Public | MethodAttributes.Static, typeof(void), new[] { typeof(string) });
        client.SetCustomAttribute(new CustomAttributeBuilder(typeof(NoAutomaticTriggerAttribute).GetConstructor(Type.EmptyTypes)!, Array.Empty<object>()));
        var cp = client.DefineParameter(1, ParameterAttributes.None, "client");
        cp.SetCustomAttribute(new CustomAttributeBuilder(typeof(DurableClientAttribute).GetConstructor(Type.EmptyTypes)!, Array.Empty<object>()));
        var cil = client.GetILGenerator();
        cil.Emit(OpCodes.Ldarg_0);
        cil.Emit(OpCodes.Call, typeof(Bridge).GetMethod(nameof(Bridge.CaptureClient))!);
        cil.Emit(OpCodes.Ret);
        return type.CreateType();
    }
}
