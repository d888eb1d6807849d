using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Workers.Plugins;

namespace Workers.Actors.Plugins;

/// <summary>Where a plugin lives: its name, the assembly that holds it and its type.</summary>
public sealed record PluginDescriptor(string Name, string AssemblyPath, string TypeName);

/// <summary>Thrown when a plugin assembly cannot be read or its plugins cannot be listed.</summary>
public sealed class PluginLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Lists the plugins of assemblies without keeping them loaded: each assembly is loaded in a collectible
/// context, every concrete <see cref="IWorkerPlugin"/> with a public parameterless constructor is created once
/// to read its name, and the context is unloaded again. Plugin constructors must therefore be cheap.
/// </summary>
public static class PluginDiscovery
{
    public static ImmutableArray<PluginDescriptor> Discover(IEnumerable<string> assemblyPaths)
    {
        var found = ImmutableArray.CreateBuilder<PluginDescriptor>();
        foreach (var path in assemblyPaths)
        {
            foreach (var descriptor in DiscoverOne(Path.GetFullPath(path)))
            {
                if (found.FirstOrDefault(d => d.Name == descriptor.Name) is { } clash)
                    throw new PluginLoadException(
                        $"Plugin name \"{descriptor.Name}\" is used by both {clash.TypeName} ({clash.AssemblyPath}) and {descriptor.TypeName} ({descriptor.AssemblyPath}).");
                found.Add(descriptor);
            }
        }
        return found.ToImmutable();
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // keeps every reference into the context inside this frame, so it can unload
    private static List<PluginDescriptor> DiscoverOne(string path)
    {
        if (!File.Exists(path))
            throw new PluginLoadException($"Plugin assembly not found: {path}");
        var context = new PluginLoadContext(path);
        try
        {
            var assembly = context.LoadFromAssemblyPath(path);
            var descriptors = new List<PluginDescriptor>();
            foreach (var type in PluginTypes(assembly, path))
            {
                var plugin = (IWorkerPlugin)Activator.CreateInstance(type)!;
                descriptors.Add(new PluginDescriptor(plugin.Name, path, type.FullName!));
                plugin.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return descriptors;
        }
        catch (Exception e) when (e is not PluginLoadException)
        {
            throw new PluginLoadException($"Could not list the plugins of {path}: {e.Message}", e);
        }
        finally
        {
            context.Unload();
        }
    }

    internal static IEnumerable<Type> PluginTypes(System.Reflection.Assembly assembly, string path)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e)
        {
            throw new PluginLoadException($"Could not read the types of {path}: {e.Message}", e);
        }
        return types.Where(t => t is { IsClass: true, IsAbstract: false }
                                && typeof(IWorkerPlugin).IsAssignableFrom(t)
                                && t.GetConstructor(Type.EmptyTypes) is not null);
    }
}
